# Injected into the student's kernel after the notebook ran. It runs in the student's
# process, so the grader trusts nothing it writes: it only moves data. Values go out as
# JSON plus .npy files (never pickle); the grader validates and compares on its side.
def __autograder_make_agent():
    import json
    import math
    import os
    import socket
    import sys

    import numpy as _np

    def _torch():
        """torch, imported only when a tensor crosses (it costs ~1.5 s when not loaded yet)."""
        import torch

        return torch

    ip = get_ipython()  # noqa: F821 - defined in the kernel
    ns = ip.user_ns

    class Agent:
        def __init__(self):
            self.handles = {}
            self.next_handle = 1

        # -- decoding grader arguments --------------------------------------------------
        def dec(self, v, d):
            if isinstance(v, list):
                return [self.dec(x, d) for x in v]
            if isinstance(v, dict):
                if "__nd__" in v:
                    return _np.load(os.path.join(d, v["__nd__"]), allow_pickle=False)
                if "__tensor__" in v:
                    a = _np.load(os.path.join(d, v["__tensor__"]), allow_pickle=False)
                    t = _torch().from_numpy(a.copy())
                    if v.get("requires_grad"):
                        t.requires_grad_(True)
                    return t
                if "__tuple__" in v:
                    return tuple(self.dec(x, d) for x in v["__tuple__"])
                if "__dict__" in v:
                    return {k: self.dec(x, d) for k, x in v["__dict__"].items()}
                if "__float__" in v:
                    return float(v["__float__"])
                if "__ref__" in v:
                    return ns[v["__ref__"]]
                if "__handle__" in v:
                    return self.handles[v["__handle__"]]
            return v

        # -- encoding results -------------------------------------------------------------
        def enc(self, v, d, counter, depth=0):
            if depth > 20:
                raise ValueError("structure trop profonde / too deeply nested")
            if v is None or isinstance(v, (bool, str)):
                return v
            if isinstance(v, int) and type(v) in (int, bool):
                return v
            if type(v) is float:
                return v if math.isfinite(v) else {"__float__": repr(v)}
            if isinstance(v, _np.generic) and v.dtype.kind in "biuf":
                return self.enc(v.item(), d, counter, depth + 1)
            tm = sys.modules.get("torch")  # a tensor exists only if torch is loaded
            if tm is not None and isinstance(v, tm.Tensor):
                t = v.detach().cpu()
                if t.dtype in (_torch().bfloat16, _torch().float16):
                    t = t.float()
                return self.enc(t.numpy(), d, counter, depth + 1)
            if isinstance(v, _np.ndarray):
                if v.dtype.kind not in "biufc":
                    raise TypeError(f"tableau de dtype {v.dtype} non numérique / non-numeric dtype")
                counter[0] += 1
                name = f"r{counter[0]}.npy"
                _np.save(os.path.join(d, name), _np.asarray(v), allow_pickle=False)
                return {"__nd__": name}
            if isinstance(v, (list, tuple)):  # namedtuples and list subclasses too
                items = [self.enc(x, d, counter, depth + 1) for x in list(v)]
                return items if isinstance(v, list) else {"__tuple__": items}
            if isinstance(v, dict) and all(type(k) is str for k in v):  # OrderedDict: state_dict()
                return {"__dict__": {k: self.enc(x, d, counter, depth + 1) for k, x in v.items()}}
            h = self.next_handle
            self.next_handle += 1
            self.handles[h] = v
            return {"__handle__": h, "type": type(v).__name__}

        def run(self, d):
            with open(os.path.join(d, "req.json"), encoding="utf-8") as f:
                req = json.load(f)
            op = req["op"]
            try:
                if op == "has":
                    value = req["target"] in ns
                elif op == "define":
                    exec(req["source"], ns)  # trusted grader code
                    value = None
                else:
                    t = req["target"]
                    obj = self.handles[t] if isinstance(t, int) else ns[t]
                    if op == "get":
                        value = obj
                    elif op == "attr":
                        value = getattr(obj, req["name"])
                    else:
                        fn = getattr(obj, req["name"]) if op == "method" else obj
                        args = self.dec(req.get("args", []), d)
                        kwargs = {k: self.dec(x, d) for k, x in req.get("kwargs", {}).items()}
                        value = fn(*args, **kwargs)
                out = {"ok": True, "value": self.enc(value, d, [0])}
            except KeyError as exc:
                if op in ("get", "call", "attr", "method") and exc.args and exc.args[0] == req.get("target"):
                    out = {"ok": False, "missing": True, "ename": "NameError", "evalue": str(req.get("target"))}
                else:
                    out = {"ok": False, "ename": type(exc).__name__, "evalue": str(exc)[:2000]}
            except BaseException as exc:  # noqa: BLE001 - the student's error goes to the grader
                if isinstance(exc, KeyboardInterrupt):
                    raise
                out = {"ok": False, "ename": type(exc).__name__, "evalue": str(exc)[:2000]}
            tmp = os.path.join(d, "result.json.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(out, f)
            os.replace(tmp, os.path.join(d, "result.json"))

        def serve(self, path):
            """Run the requests the grader names on the socket at `path`, one per line,
            until it closes the connection (one execute request for a whole check run)."""
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(path)
                pending = b""
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        try:
                            self.run(os.path.join(os.path.dirname(path), line.decode("utf-8")))
                        except OSError:  # the grader gave up on that call and removed its folder
                            continue
                        conn.sendall(b"done " + line + b"\n")
            finally:
                conn.close()

    return Agent()


__autograder_agent__ = __autograder_make_agent()
del __autograder_make_agent
