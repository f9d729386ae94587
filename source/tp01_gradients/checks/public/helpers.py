"""TP01's code shared by its public and hidden checks."""

# The grader's forward, loss and backward: `entrainer` is graded with these in place of the
# student's (graded in their own items), so that a mistake there costs points once.
MLP_REFERENCES = {
    "forward": """
def forward(X, params):
    import numpy as np
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    return A1 @ params["W2"] + params["b2"], {"Z1": Z1, "A1": A1}
""",
    "softmax_cross_entropy": """
def softmax_cross_entropy(logits, y):
    import numpy as np
    N = logits.shape[0]
    decales = logits - logits.max(axis=1, keepdims=True)
    log_probs = decales - np.log(np.exp(decales).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(N), y].mean()), np.exp(log_probs)
""",
    "backward": """
def backward(X, y, params, cache, probs):
    import numpy as np
    N = X.shape[0]
    Y = np.zeros_like(probs)
    Y[np.arange(N), y] = 1.0
    dZ2 = (probs - Y) / N
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}
""",
}
