"""The contract's clauses, and which front end and mode each applies to (the rest show as n/a, never as skips)."""

from __future__ import annotations

from dataclasses import dataclass

from contract_tests.clients import HTTP, UI

SHIPPED = ("flask", "fastapi", "streamlit")
# `--variant batched` of each HTTP front end: checked on the clauses that name them (the rest show as n/a).
BATCHED = ("flask-batched", "fastapi-batched")
# The shipped HTTP front ends with SERVEBENCH_RUNTIME=onnx: bit-identity is n/a, clause predict.onnx bounds them.
ONNX = ("flask-onnx", "fastapi-onnx")
FRONT_ENDS = (*SHIPPED, *BATCHED, *ONNX)
KINDS = {
    "flask": HTTP,
    "fastapi": HTTP,
    "streamlit": UI,
    "flask-batched": HTTP,
    "fastapi-batched": HTTP,
    "flask-onnx": HTTP,
    "fastapi-onnx": HTTP,
}
MODES = ("inprocess", "live")


@dataclass(frozen=True, slots=True)
class Clause:
    """One promise of the contract, checked by the tests marked `@pytest.mark.clause(id)`."""

    id: str
    title: str
    kinds: frozenset[str] = frozenset({HTTP, UI})
    modes: frozenset[str] = frozenset(MODES)
    # For UI front ends, the modes where the clause is checked (a browserless session drives fixed records only).
    ui_modes: frozenset[str] = frozenset(MODES)
    front_ends: frozenset[str] = frozenset(SHIPPED)

    def applies(self, front_end: str, mode: str) -> bool:
        """Whether this clause is generated as a test for that front end in that mode."""
        kind = KINDS[front_end]
        if front_end not in self.front_ends or kind not in self.kinds or mode not in self.modes:
            return False
        return kind != UI or mode in self.ui_modes


_INPROCESS = frozenset({"inprocess"})
_HTTP = frozenset({HTTP})
# The ONNX runtime changes only what the model computes: it is checked on predict.onnx alone.
_ALSO_BATCHED = frozenset((*SHIPPED, *BATCHED))

CLAUSES: tuple[Clause, ...] = (
    Clause(
        "health",
        "GET /health/live, /health/ready, /health answer the contract's bodies",
        kinds=_HTTP,
        front_ends=_ALSO_BATCHED,
    ),
    Clause(
        "model_card",
        "the model card equals shared_model's (Streamlit: the card it shows)",
        ui_modes=_INPROCESS,
    ),
    Clause("predict.fixed", "fixed records (example, every bound) predicted bit for bit"),
    Clause(
        "predict.golden", "hypothesis records across each feature's range, bit for bit", ui_modes=_INPROCESS
    ),
    Clause(
        "predict.batch", "batches equal shared_model's answer for the same composition", ui_modes=_INPROCESS
    ),
    Clause(
        "errors.catalogue",
        "each bad input: exact status, code, loc; JSON body; no traceback",
        kinds=_HTTP,
        front_ends=_ALSO_BATCHED,
    ),
    Clause("errors.alive", "a valid request succeeds after every bad one (no worker died)", kinds=_HTTP),
    Clause("errors.identical", "Flask and FastAPI answer every bad input with the same body", kinds=_HTTP),
    Clause(
        "requests.unusual",
        "unusual valid requests (charset, chunked, at the size limit) succeed",
        kinds=_HTTP,
    ),
    Clause(
        "headers.request_id",
        "every response carries X-Request-ID; sane ones echoed",
        kinds=_HTTP,
        front_ends=_ALSO_BATCHED,
    ),
    Clause(
        "predict.batched",
        "concurrent records batched: every benchmark record's label as alone, probabilities within a pinned ULP bound",
        kinds=_HTTP,
        front_ends=frozenset(BATCHED),
    ),
    Clause(
        "predict.onnx",
        "the ONNX runtime: every benchmark record's label as scikit-learn's, floats within a pinned bound; "
        "the card says onnx",
        kinds=_HTTP,
        front_ends=frozenset(ONNX),
    ),
    Clause(
        "errors.shown",
        "an invalid record or CSV is refused with the validator's field errors",
        kinds=frozenset({UI}),
        modes=_INPROCESS,
    ),
    Clause("openapi.fuzz", "schemathesis: no 5xx, responses conform to /openapi.json", kinds=_HTTP),
    Clause("oip.routes", "OIP v2 metadata, health and readiness answer as shared_model does", kinds=_HTTP),
    Clause("oip.predict", "OIP v2 infer equals shared_model, and /v1's floats, bit for bit", kinds=_HTTP),
    Clause(
        "oip.catalogue", "each bad OIP request: the twin's status, code, loc; OIP's error body", kinds=_HTTP
    ),
    Clause(
        "oip.identical", "Flask and FastAPI answer every OIP request alike, bad ones included", kinds=_HTTP
    ),
    Clause(
        "oip.client",
        "tritonclient (a client no one here wrote) reads metadata and infers exactly",
        kinds=_HTTP,
        modes=frozenset({"live"}),
    ),
    Clause(
        "store.lookups",
        "stored features looked up by key: bodies as shared_model's on the stored row; unknown key 404 at the key",
        ui_modes=_INPROCESS,
    ),
    Clause(
        "store.down",
        "the store stopped: 503 feature_store_unavailable at once, 200 again when it is back (live: mid-run)",
        ui_modes=_INPROCESS,
    ),
    Clause(
        "byom.new_feature",
        "a retrained copy of loan with one more feature passes, no code change",
        modes=_INPROCESS,
    ),
)
CLAUSE_BY_ID = {clause.id: clause for clause in CLAUSES}
