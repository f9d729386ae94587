"""Kernel-side helpers of TP08's public and hidden checks (shipped with the release)."""

from __future__ import annotations

from autograder.checks import CheckFailed, Ref, StudentError, kernel_side, student_failure


@kernel_side
def inspect_model(modele):
    """What the checks read of a model the student built: is it a module, its size, its layers."""
    from torch import nn

    if not isinstance(modele, nn.Module):
        return {"module": False, "type": type(modele).__name__}
    mods = list(modele.modules())
    return {
        "module": True,
        "type": type(modele).__name__,
        "n_params": int(sum(p.numel() for p in modele.parameters() if p.requires_grad)),
        "n_conv": int(sum(isinstance(m, nn.Conv2d) for m in mods)),
        "n_pool": int(sum(isinstance(m, (nn.MaxPool2d, nn.AdaptiveMaxPool2d, nn.AvgPool2d,
                                         nn.AdaptiveAvgPool2d)) for m in mods)),
    }


@kernel_side
def eval_logits(modele, X):
    """The model's logits in evaluation mode, X moved to the model's device and dtype."""
    import torch

    modele.eval()
    params = list(modele.parameters())
    if params:
        X = X.to(device=params[0].device, dtype=params[0].dtype)
    with torch.no_grad():
        return modele(X)


@kernel_side
def notebook_data_read(fn):
    """Which of the notebook's global arrays (NumPy arrays, tensors: X_test_rot, y_app_rot…)
    the student's function `fn` reads by name (its own code and the functions nested in it),
    and its parameters: a function graded on grader data that reads the notebook's data
    instead of its arguments fails on other sizes, or trains on the wrong examples."""
    import dis
    import inspect
    import types

    import numpy as np

    code = getattr(fn, "__code__", None)
    space = getattr(fn, "__globals__", None)
    if not isinstance(code, types.CodeType) or not isinstance(space, dict):
        return {"globals": [], "params": []}
    names, todo = [], [code]
    while todo:
        c = todo.pop()
        for ins in dis.get_instructions(c):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(ins.argval, str):
                names.append(ins.argval)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    try:
        import torch

        kinds = (np.ndarray, torch.Tensor)
    except ImportError:  # pragma: no cover - the TP imports torch
        kinds = (np.ndarray,)
    read = []
    for name in names:
        if name not in read and isinstance(space.get(name), kinds):
            read.append(name)
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return {"globals": read, "params": params}


def reads_notebook_data(submission, name: str) -> tuple[list[str], list[str]]:
    """(global arrays read, parameters) of the student's `name`; ([], []) when unreadable."""
    try:
        out = notebook_data_read.call(submission, Ref(name))
    except StudentError:
        return [], []
    if not isinstance(out, dict):
        return [], []
    read = [str(v) for v in out.get("globals", []) if isinstance(v, str)][:6]
    params = [str(v) for v in out.get("params", []) if isinstance(v, str)][:8]
    return read, params


def globals_message(name: str, read: list[str], params: list[str], what: tuple[str, str]):
    """The (French, English) sentence for `name` reading the notebook's arrays `read` instead of
    its arguments; `what` says what that did on the grader's data."""
    several = len(read) > 1
    shown = ", ".join(read)
    args = ", ".join(params)
    return (
        f"{name} lit {'les variables globales' if several else 'la variable globale'} du "
        f"notebook {shown} au lieu de ses arguments ({args}) : {what[0]} ; une fonction ne "
        "travaille que sur ce qu'on lui passe, utilisez ses arguments (le correcteur l'appelle "
        "sur d'autres données que celles du notebook)",
        f"{name} reads the notebook's global {'variables' if several else 'variable'} {shown} "
        f"instead of its arguments ({args}): {what[1]}; a function works only on what it is "
        "given, use its arguments (the grader calls it on other data than the notebook's)",
    )


def student_call(submission, name: str, *args, **kwargs):
    """submission.call(name, ...), an error the student's code raised turned into the check's
    failure: said in French as usual, or, when `name` reads the notebook's global arrays
    instead of its arguments (the likely cause on grader data of other sizes), saying so."""
    try:
        return submission.call(name, *args, **kwargs)
    except StudentError as exc:
        raise student_error(submission, name, exc) from None


def student_error(submission, name: str, exc):
    """The failure for the StudentError `exc` raised by the student's `name` (see student_call)."""
    if exc.ename not in ("NotImplementedError", "NameError"):
        read, params = reads_notebook_data(submission, name)
        if read:
            return CheckFailed(*globals_message(
                name, read, params,
                (f"sur les données du correcteur elle lève {exc.ename}",
                 f"on the grader's data it raises {exc.ename}"),
            ))
    return student_failure(name, exc)
