"""Answer-cell bodies of a TP01-like class: six students who each wrote their own code for
the same functions of ``tp01_gradients`` (manual MLP backward pass, centred finite
differences, parameter counts), and one student who copied alice: variables renamed
(function parameters included), layout changed (black-style explosion, one-liners split,
``;``), comments added and docstrings removed, plus one small real edit.

Each body replaces ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` in the release
stub, the way a student fills an answer cell in JupyterLab. ``param_count_784`` and
``grad_f`` are one-liners that every student writes almost identically.
"""

from __future__ import annotations

INDEPENDENT: dict[str, dict[str, str]] = {
    "alice": {
        "mlp_backward": """
    n = X.shape[0]
    one_hot = np.zeros_like(probs)
    one_hot[np.arange(n), y] = 1.0
    delta2 = (probs - one_hot) / n
    grad_W2 = cache["A1"].T @ delta2
    grad_b2 = delta2.sum(axis=0)
    delta1 = delta2 @ params["W2"].T
    delta1 = delta1 * (cache["Z1"] > 0)
    grad_W1 = X.T @ delta1
    grad_b1 = delta1.sum(axis=0)
    return {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}
""",
        "numerical_gradient": """
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        saved = x[idx]
        x[idx] = saved + h
        plus = f(x)
        x[idx] = saved - h
        minus = f(x)
        x[idx] = saved
        grad[idx] = (plus - minus) / (2 * h)
        it.iternext()
    return grad
""",
        "count_params": """
    total = 0
    for i in range(len(largeurs) - 1):
        total += largeurs[i] * largeurs[i + 1] + largeurs[i + 1]
    return total
""",
        "param_count_784": "NB_PARAMS_784_256_10 = 784 * 256 + 256 + 256 * 10 + 10\n",
        "grad_f": "\n    return np.array([2 * x[0], 6 * x[1]])\n",
    },
    "bruno": {
        "mlp_backward": """
    W2 = params["W2"]
    Z1, A1 = cache["Z1"], cache["A1"]
    batch = len(y)
    Y = np.eye(probs.shape[1])[y]
    dlogits = (probs - Y) / batch
    grads = {}
    grads["W2"] = np.dot(A1.T, dlogits)
    grads["b2"] = np.sum(dlogits, axis=0)
    dA1 = np.dot(dlogits, W2.T)
    dZ1 = np.where(Z1 > 0, dA1, 0.0)
    grads["W1"] = np.dot(X.T, dZ1)
    grads["b1"] = np.sum(dZ1, axis=0)
    return grads
""",
        "numerical_gradient": """
    x = np.asarray(x, dtype=float).copy()
    flat = x.reshape(-1)
    g = np.zeros(flat.size)
    for k in range(flat.size):
        e = np.zeros(flat.size)
        e[k] = h
        g[k] = (f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / (2 * h)
    return g.reshape(x.shape)
""",
        "count_params": """
    return sum((a + 1) * b for a, b in zip(largeurs, largeurs[1:]))
""",
        "param_count_784": "NB_PARAMS_784_256_10 = (784 + 1) * 256 + (256 + 1) * 10\n",
        "grad_f": "\n    return np.array([2.0 * x[0], 6.0 * x[1]])\n",
    },
    "chloe": {
        "mlp_backward": """
    N = len(X)
    d_scores = probs.copy()
    d_scores[range(N), y] -= 1
    d_scores /= N
    relu_mask = (cache["Z1"] > 0).astype(float)
    d_hidden = relu_mask * (d_scores @ params["W2"].T)
    return {
        "W2": cache["A1"].T @ d_scores,
        "b2": d_scores.sum(0),
        "W1": X.T @ d_hidden,
        "b1": d_hidden.sum(0),
    }
""",
        "numerical_gradient": """
    x = np.array(x, dtype=float)
    out = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        xp = x.copy()
        xm = x.copy()
        xp[i] += h
        xm[i] -= h
        out[i] = (f(xp) - f(xm)) / (2.0 * h)
    return out
""",
        "count_params": """
    n = 0
    for entree, sortie in zip(largeurs[:-1], largeurs[1:]):
        poids = entree * sortie
        biais = sortie
        n = n + poids + biais
    return int(n)
""",
        "param_count_784": "NB_PARAMS_784_256_10 = 784 * 256 + 256 + 256 * 10 + 10\n",
        "grad_f": "\n    x = np.asarray(x)\n    return np.array([2 * x[0], 6 * x[1]])\n",
    },
    "david": {
        "mlp_backward": """
    nb_exemples, nb_classes = probs.shape
    cible = np.zeros((nb_exemples, nb_classes))
    for i in range(nb_exemples):
        cible[i, y[i]] = 1
    g_sortie = (probs - cible) / nb_exemples
    g_W2 = np.einsum("nh,nc->hc", cache["A1"], g_sortie)
    g_b2 = g_sortie.sum(axis=0)
    g_cachee = np.einsum("nc,hc->nh", g_sortie, params["W2"])
    g_cachee[cache["Z1"] <= 0] = 0
    g_W1 = np.einsum("nd,nh->dh", X, g_cachee)
    g_b1 = g_cachee.sum(axis=0)
    return dict(W1=g_W1, b1=g_b1, W2=g_W2, b2=g_b2)
""",
        "numerical_gradient": """
    x = np.asarray(x, dtype=float)
    base = np.eye(x.size).reshape((x.size,) + x.shape)
    valeurs = [(f(x + h * e) - f(x - h * e)) / (2 * h) for e in base]
    return np.array(valeurs).reshape(x.shape)
""",
        "count_params": """
    couches = list(zip(largeurs, largeurs[1:]))
    return int(sum(a * b for a, b in couches) + sum(b for _, b in couches))
""",
        "param_count_784": "NB_PARAMS_784_256_10 = (784 * 256 + 256) + (256 * 10 + 10)\n",
        "grad_f": "\n    return np.array([2 * x[0], 6 * x[1]])\n",
    },
    "emma": {
        "mlp_backward": """
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    N = X.shape[0]
    for n in range(N):
        err = probs[n].copy()
        err[y[n]] -= 1.0
        grads["W2"] += np.outer(cache["A1"][n], err)
        grads["b2"] += err
        back = params["W2"] @ err
        back = back * (cache["Z1"][n] > 0)
        grads["W1"] += np.outer(X[n], back)
        grads["b1"] += back
    for name in grads:
        grads[name] /= N
    return grads
""",
        "numerical_gradient": """
    x = np.array(x, dtype=np.float64)
    gradient = np.empty_like(x)
    for flat_index in range(x.size):
        pos = np.unravel_index(flat_index, x.shape)
        original = x[pos]
        x[pos] = original + h
        up = float(f(x))
        x[pos] = original - h
        down = float(f(x))
        gradient[pos] = (up - down) / (2 * h)
        x[pos] = original
    return gradient
""",
        "count_params": """
    if len(largeurs) < 2:
        return 0
    return largeurs[0] * largeurs[1] + largeurs[1] + nombre_parametres(largeurs[1:])
""",
        "param_count_784": "NB_PARAMS_784_256_10 = 784 * 256 + 256 + 256 * 10 + 10  # 203530\n",
        "grad_f": "\n    return np.array([2 * x[0], 6 * x[1]], dtype=float)\n",
    },
    "farid": {
        "mlp_backward": """
    def relu_prime(z):
        return (z > 0) * 1.0

    m = X.shape[0]
    labels = np.zeros(probs.shape)
    labels[np.arange(m), y] = 1
    dZ2 = probs - labels
    dW2 = (1 / m) * cache["A1"].T.dot(dZ2)
    db2 = (1 / m) * np.sum(dZ2, axis=0)
    dZ1 = dZ2.dot(params["W2"].T) * relu_prime(cache["Z1"])
    dW1 = (1 / m) * X.T.dot(dZ1)
    db1 = (1 / m) * np.sum(dZ1, axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
""",
        "numerical_gradient": """
    x = np.array(x, dtype=float)
    res = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        tmp = x[i]
        x[i] = tmp + h
        fxh1 = f(x)
        x[i] = tmp - h
        fxh2 = f(x)
        res[i] = (fxh1 - fxh2) / (2 * h)
        x[i] = tmp
    return res
""",
        "count_params": """
    return int(np.sum([largeurs[i] * largeurs[i + 1] + largeurs[i + 1] for i in range(len(largeurs) - 1)]))
""",
        "param_count_784": "NB_PARAMS_784_256_10 = 784*256 + 256 + 256*10 + 10\n",
        "grad_f": "\n    return np.array([2 * x[0], 6 * x[1]])\n",
    },
}

#: gaspard copied alice: every name changed, layout changed, comments added, docstrings
#: removed, function parameters renamed, and one real edit (np.sum instead of .sum).
COPIED_FROM = "alice"
COPY: dict[str, str] = {
    "mlp_backward": """def backward(X, y, params, cache, probs):
    # nombre d'exemples du lot
    taille = X.shape[ 0 ]
    cible = np.zeros_like( probs )   # encodage one-hot
    cible[np.arange(taille), y] = 1.0
    # gradient en sortie
    err_sortie = (probs - cible) / taille
    gW2 = cache["A1"].T @ err_sortie
    gb2 = np.sum(err_sortie, axis=0)
    # on remonte dans la couche cachée
    err_cachee = err_sortie @ params["W2"].T
    err_cachee = err_cachee * (cache["Z1"] > 0)  # dérivée de ReLU
    gW1 = X.T @ err_cachee
    gb1 = err_cachee.sum(axis = 0)
    return {
        "W1": gW1,
        "b1": gb1,
        "W2": gW2,
        "b2": gb2,
    }
""",
    "numerical_gradient": '''def gradient_numerique(fonction, point, pas=1e-5):
    """Différences centrées."""
    point = np.array(point, dtype=float)
    resultat = np.zeros_like(point)
    iterateur = np.nditer(point, flags=['multi_index'])
    while not iterateur.finished:
        position = iterateur.multi_index
        valeur = point[position]; point[position] = valeur + pas
        haut = fonction(point)
        point[position] = valeur - pas
        bas = fonction(point)
        point[position] = valeur  # on remet la valeur
        resultat[position] = (haut - bas) / (2 * pas)
        iterateur.iternext()
    return resultat
''',
    "count_params": """def nombre_parametres(couches):
    somme = 0
    for j in range(len(couches) - 1):
        # poids puis biais de la couche j -> j+1
        somme += couches[j] * couches[j + 1] + couches[j + 1]
    return somme
""",
    "param_count_784": "NB_PARAMS_784_256_10 = 784 * 256 + 256 + 256 * 10 + 10\n",
    "grad_f": "def grad_f(x):\n    return np.array([2 * x[0], 6 * x[1]])\n",
}
