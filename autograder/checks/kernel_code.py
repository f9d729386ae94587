"""Code a check runs inside the student's kernel, written as plain Python beside the checks.

A check sometimes needs code on the kernel side: build the grader's model from weights the
grader sends, read a model's weights back, wrap a student's function to record its calls.
Written as source strings, that code escapes linting, is copied between files, needs a
`_tpNN_` prefix so it does not overwrite a student's name, and runs among the student's
globals, so a student's `np = None` or `F = 3` breaks it. Here it is an ordinary function or
class decorated with `@kernel_side`: the grader can call it too (as a reference), and
`.call(submission, ...)` installs it once per submission in a namespace of its own (its
imports, its `uses`) under a name derived from its source, then calls it there.

Rules, checked when the module is imported: the body reaches nothing of the check module
(imports go inside, other kernel-side code through `uses=`), and student objects arrive as
arguments (`Ref`, handles), never by global name.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import linecache
import textwrap
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar, overload

from autograder.bridge.values import Ref

T = TypeVar("T")


class _Defines(Protocol):
    memo: dict[str, Any]

    def define(self, name: str, source: str) -> Any: ...

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any: ...


class KernelSideError(TypeError):
    """A kernel-side declaration that could not run in the kernel as written (an author's
    mistake, raised when the check module is imported, not while grading)."""


@functools.lru_cache(maxsize=128)
def _top_level_definitions(text: str) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, ...]:
    """A module's top-level functions and classes, parsed once per module text.

    Why: `inspect.getsource` of a class parses its whole module (Python 3.11), and a check
    module is imported again at every grading (plugin._forget): two classes of TP01 cost a
    tenth of a second per submission. The text is the key, so a changed file is parsed again."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return ()
    return tuple(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


def _module_level_source(obj: Any) -> str | None:
    """The source of a module-level definition from its first decorator on, or None when it
    is not one (then inspect reads it)."""
    try:
        filename = inspect.getsourcefile(obj)
    except TypeError:
        return None
    if not filename or getattr(obj, "__qualname__", None) != getattr(obj, "__name__", ""):
        return None
    lines = linecache.getlines(filename)
    code = getattr(obj, "__code__", None)

    def first_line(n: ast.AST) -> int:
        return min([n.lineno, *(d.lineno for d in n.decorator_list)])  # type: ignore[attr-defined]

    nodes = [
        n for n in _top_level_definitions("".join(lines))
        if n.name == obj.__name__ and (code is None or code.co_firstlineno in (n.lineno, first_line(n)))
    ]
    if len(nodes) != 1 or nodes[0].end_lineno is None:
        return None
    return "".join(lines[first_line(nodes[0]) - 1 : nodes[0].end_lineno])


def _own_source(obj: Any) -> str:
    """The object's definition without its `@kernel_side` line, dedented."""
    src = _module_level_source(obj)
    if src is None:
        try:
            src = textwrap.dedent(inspect.getsource(obj))
        except (OSError, TypeError) as exc:
            raise KernelSideError(f"@kernel_side: cannot read the source of {obj!r} ({exc})") from None
    node = ast.parse(src).body[0]
    if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        raise KernelSideError(f"@kernel_side: {obj!r} is not a function or class definition")
    others = [ast.get_source_segment(src, d) or "" for d in node.decorator_list]
    others = [d for d in others if "kernel_side" not in d]
    if others:
        # The grader would decorate one object and the kernel another: refuse both.
        raise KernelSideError(
            f"@kernel_side: {node.name} has other decorators ({', '.join('@' + d for d in others)}); "
            "apply them inside the kernel-side code instead"
        )
    return "\n".join(src.splitlines()[node.lineno - 1 :]) + "\n"


def _check_self_contained(obj: Any) -> None:
    """A closure cannot travel: its cells live in the grader."""
    code = getattr(obj, "__code__", None)
    if code is not None and code.co_freevars:
        raise KernelSideError(
            f"@kernel_side: {obj.__qualname__} uses {', '.join(code.co_freevars)} from an enclosing "
            "function; declare kernel-side code at module level and pass values as arguments"
        )


class KernelSide(Generic[T]):
    """A function or class that runs in the kernel; calling it directly runs it here."""

    def __init__(self, obj: T, uses: tuple[KernelSide[Any], ...] = ()) -> None:
        _check_self_contained(obj)
        self.obj = obj
        self.name: str = obj.__name__  # type: ignore[attr-defined]
        self.uses = uses
        self.source = _own_source(obj)
        digest = hashlib.sha256("\x00".join(k.source for k in self._closure()).encode()).hexdigest()[:12]
        #: The kernel-side global it is installed as: no student writes `_ag_<hash>_...`.
        self.ref_name = f"_ag_{digest}_{self.name}"

    def _closure(self) -> list[KernelSide[Any]]:
        """This declaration and what it uses, dependencies first, each once."""
        out: list[KernelSide[Any]] = []
        for dep in self.uses:
            for k in dep._closure():
                if k not in out:
                    out.append(k)
        out.append(self)
        return out

    def definitions(self) -> str:
        """The source of this declaration and of what it uses, dependencies first."""
        return "\n\n".join(k.source for k in self._closure())

    def install_source(self) -> str:
        """What the kernel runs: the definitions in a fresh namespace, one global bound."""
        body = "from __future__ import annotations\n\n" + self.definitions()
        return (
            f"def _ag_install():\n"
            f"    ns = {{'__name__': 'autograder_kernel_side', '__builtins__': __builtins__}}\n"
            f"    exec(compile({body!r}, {f'<kernel_side {self.name}>'!r}, 'exec'), ns)\n"
            f"    return ns[{self.name!r}]\n"
            f"{self.ref_name} = _ag_install()\n"
            f"del _ag_install\n"
        )

    def install(self, submission: _Defines) -> Ref:
        """Define it in the submission's kernel (once per submission); its `Ref`."""
        key = f"kernel_side:{self.ref_name}"
        if key not in submission.memo:
            submission.define(self.ref_name, self.install_source())
            submission.memo[key] = True
        return Ref(self.ref_name)

    def call(self, submission: _Defines, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Install if needed, then call it in the kernel with `args` (Refs and handles pass
        the student's objects)."""
        self.install(submission)
        return submission.call(self.ref_name, *args, timeout=timeout, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.obj(*args, **kwargs)  # type: ignore[operator]

    def __repr__(self) -> str:
        return f"<kernel_side {self.name}>"


@overload
def kernel_side(obj: T, /) -> KernelSide[T]: ...
@overload
def kernel_side(*, uses: tuple[KernelSide[Any], ...] = ()) -> Callable[[T], KernelSide[T]]: ...
def kernel_side(obj: Any = None, /, *, uses: tuple[KernelSide[Any], ...] = ()) -> Any:
    """Declare module-level code that checks run in the student's kernel:
    `@kernel_side` or `@kernel_side(uses=(OtherModel,))`."""
    if obj is not None:
        return KernelSide(obj)
    return lambda o: KernelSide(o, uses)
