"""A Streamlit websocket client: drive a form through `/_stcore/stream` as the browser does, without one.

Usage::

    async with StreamlitSession("http://127.0.0.1:8501") as session:
        result = await session.submit({"age": 35, "income": 58000.0, ...})   # the st.json body, parsed
        run = await session.run_form(record)       # FormRun: result, alert texts, latencies

The protocol is Streamlit's own (`streamlit.proto` of the installed version, so it always matches the server):
the client sends `BackMsg.rerun_script` with the widget states and reads `ForwardMsg`s until `script_finished`.
The server does not run the script on connect, so entering the session runs it once with no widget state; widget
ids are then read from that run by widget key (`$$ID-<hash>-<key>`), never hard-coded, because the hash depends on
the widget's parameters. A form submit is every form widget's value plus the submit button's trigger in ONE rerun;
a form inside `st.fragment` is submitted as the browser does, as a rerun of that fragment only.

Delayed ACK: Streamlit's server socket does not set TCP_NODELAY, so a client that acknowledges lazily stalls each
rerun by ~40 ms (Nagle on the server waiting for our ACK). On Linux the client sets TCP_QUICKACK again after every
receive (the kernel clears it by itself), so the figures measure the server, not that artefact. `QUICKACK_SUPPORTED`
says whether this platform has the option.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Delta_pb2 import Delta
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.typing import Subprotocol

STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = "streamlit"
RESULT_CONTAINER_KEY = "prediction_result"
SUBMIT_LABEL = "Predict"
QUICKACK_SUPPORTED = hasattr(socket, "TCP_QUICKACK")
# ForwardMsg.ScriptFinishedStatus: a whole script run, and a fragment's rerun, that finished without error.
FINISHED_SUCCESSFULLY = (0, 3)


class StreamlitProtocolError(RuntimeError):
    """The app did not answer as the form protocol expects (missing widget, no result, script error)."""


@dataclass(frozen=True, slots=True)
class Widget:
    """One widget of the page, found by its key in a run's deltas."""

    key: str
    id: str
    kind: str
    form_id: str
    options: tuple[str, ...] = ()
    is_form_submitter: bool = False
    label: str = ""
    fragment_id: str = ""  # the st.fragment the widget is drawn in; its trigger reruns only that fragment


@dataclass(slots=True)
class PageRun:
    """What one rerun rendered: widgets by key, JSON bodies and alert texts by container key, and timings."""

    widgets: dict[str, Widget] = field(default_factory=dict)
    json_in: dict[str, list[str]] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    finished_status: int | None = None
    first_result_s: float | None = None
    finished_s: float = 0.0


@dataclass(frozen=True, slots=True)
class FormRun:
    """A submitted form: the parsed result (None when the app showed no result), alerts, and latencies."""

    result: dict[str, Any] | None
    alerts: list[str]
    result_s: float | None
    finished_s: float


class StreamlitSession:
    """One browser-less session of a Streamlit app; use as `async with`, one submit at a time."""

    def __init__(
        self,
        base_url: str,
        *,
        submit_label: str = SUBMIT_LABEL,
        result_key: str = RESULT_CONTAINER_KEY,
        timeout: float = 30.0,
        quickack: bool = True,
    ) -> None:
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{STREAM_PATH}"
        self.submit_label = submit_label
        self.result_key = result_key
        self.timeout = timeout
        self.quickack = quickack and QUICKACK_SUPPORTED
        self.widgets: dict[str, Widget] = {}
        self.first_page: PageRun | None = None
        self._ws: Any = None

    async def __aenter__(self) -> StreamlitSession:
        self._ws = await asyncio.wait_for(
            websockets.connect(self.url, subprotocols=[Subprotocol(SUBPROTOCOL)], max_size=None), self.timeout
        )
        sock = self._socket()
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.first_page = await self.rerun([])
        self.widgets = dict(self.first_page.widgets)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def submit(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Fill the form with `record`, press the submit button, and return the result JSON (exact floats)."""
        run = await self.run_form(record)
        if run.result is None:
            raise StreamlitProtocolError(f"the app showed no result; alerts: {run.alerts}")
        return run.result

    async def run_form(self, record: Mapping[str, Any]) -> FormRun:
        """Submit `record` in one rerun and report the result, any alerts, and the time to result / finish."""
        states = self.form_states(record)
        page = await self.rerun(states, fragment_id=self.widgets_by_id[states[-1].id].fragment_id)
        bodies = page.json_in.get(self.result_key, [])
        result = json.loads(bodies[-1]) if bodies else None
        return FormRun(result, page.alerts, page.first_result_s, page.finished_s)

    def form_states(self, record: Mapping[str, Any]) -> list[WidgetState]:
        """The widget states of a submit: one per record field, plus the submit button's trigger."""
        missing = [name for name in record if name not in self.widgets]
        if missing:
            raise StreamlitProtocolError(
                f"no widget keyed {missing} on the page; keys: {sorted(self.widgets)}"
            )
        states = [_state(self.widgets[name], value) for name, value in record.items()]
        form_ids = {self.widgets[name].form_id for name in record}
        states.append(WidgetState(id=self._submit_button(form_ids).id, trigger_value=True))
        return states

    @property
    def widgets_by_id(self) -> dict[str, Widget]:
        """The first page's widgets by their id."""
        return {widget.id: widget for widget in self.widgets.values()}

    async def rerun(self, states: Sequence[WidgetState], fragment_id: str = "") -> PageRun:
        """Send one `rerun_script` (of one fragment, if named) and read until `script_finished`; timed from the send."""
        message = BackMsg()
        message.rerun_script.SetInParent()
        message.rerun_script.widget_states.widgets.extend(states)
        message.rerun_script.fragment_id = fragment_id
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        return await asyncio.wait_for(self._read_page(started), self.timeout)

    async def _read_page(self, started: float) -> PageRun:
        page = PageRun()
        containers: dict[tuple[int, ...], str] = {}
        while True:
            frame = await self._ws.recv()
            self._ack_now()
            message = ForwardMsg()
            message.ParseFromString(frame)
            kind = message.WhichOneof("type")
            if kind == "script_finished":
                page.finished_status = message.script_finished
                page.finished_s = time.perf_counter() - started
                if page.finished_status not in FINISHED_SUCCESSFULLY:
                    raise StreamlitProtocolError(f"script finished with status {page.finished_status}")
                return page
            if kind != "delta":
                continue
            path = tuple(message.metadata.delta_path)
            delta = message.delta
            if delta.WhichOneof("type") == "add_block" and delta.add_block.id:
                containers[path] = _key_of(delta.add_block.id)
            elif delta.WhichOneof("type") == "new_element":
                self._record_element(page, delta, path, containers, started)

    def _record_element(
        self,
        page: PageRun,
        delta: Delta,
        path: tuple[int, ...],
        containers: Mapping[tuple[int, ...], str],
        started: float,
    ) -> None:
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "json":
            for key in _enclosing_keys(path, containers):
                page.json_in.setdefault(key, []).append(element.json.body)
                if key == self.result_key and page.first_result_s is None:
                    page.first_result_s = time.perf_counter() - started
        elif kind == "alert":
            page.alerts.append(element.alert.body)
        elif kind == "exception":
            page.exceptions.append(element.exception.message)
        elif kind is not None:
            proto = getattr(element, kind)
            widget_id = getattr(proto, "id", "")
            if widget_id.startswith("$$ID-"):
                page.widgets[_key_of(widget_id)] = Widget(
                    key=_key_of(widget_id),
                    id=widget_id,
                    kind=kind,
                    form_id=getattr(proto, "form_id", ""),
                    options=tuple(getattr(proto, "options", ())),
                    is_form_submitter=bool(getattr(proto, "is_form_submitter", False)),
                    label=getattr(proto, "label", ""),
                    fragment_id=delta.fragment_id,
                )

    def _submit_button(self, form_ids: set[str]) -> Widget:
        buttons = [w for w in self.widgets.values() if w.is_form_submitter and w.form_id in form_ids]
        labelled = [w for w in buttons if w.label == self.submit_label] or buttons
        if len(labelled) != 1:
            raise StreamlitProtocolError(
                f"expected one submit button {self.submit_label!r} in form {form_ids}, found {labelled}"
            )
        return labelled[0]

    def _socket(self) -> socket.socket | None:
        transport = getattr(self._ws, "transport", None)
        return transport.get_extra_info("socket") if transport is not None else None

    def _ack_now(self) -> None:
        # TCP_QUICKACK is not sticky: the kernel may fall back to delayed ACKs, so set it after every receive.
        if self.quickack:
            sock = self._socket()
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def _key_of(widget_id: str) -> str:
    # "$$ID-<hex hash>-<user key>": the key may itself contain dashes, the hash never does.
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 else widget_id


def _enclosing_keys(path: tuple[int, ...], containers: Mapping[tuple[int, ...], str]) -> list[str]:
    return [key for prefix, key in containers.items() if path[: len(prefix)] == prefix]


def _state(widget: Widget, value: Any) -> WidgetState:
    if widget.kind in ("selectbox", "radio"):
        if str(value) not in widget.options:
            raise StreamlitProtocolError(f"{widget.key}: {value!r} is not one of {widget.options}")
        return WidgetState(id=widget.id, string_value=str(value))
    if widget.kind == "checkbox":
        return WidgetState(id=widget.id, bool_value=bool(value))
    if widget.kind in ("text_input", "text_area"):
        return WidgetState(id=widget.id, string_value=str(value))
    if widget.kind == "number_input" and isinstance(value, int | float) and not isinstance(value, bool):
        # number_input's state is always a double; Streamlit casts it back to int for an integer widget.
        return WidgetState(id=widget.id, double_value=float(value))
    raise StreamlitProtocolError(f"{widget.key}: cannot set a {widget.kind} to {value!r}")
