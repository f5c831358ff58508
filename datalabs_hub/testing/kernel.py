"""Run Python code in a kernel of a running datalab, through the hub's proxy, as its user would."""

from __future__ import annotations

import json
import uuid

import requests
import websocket


def run_code(base_url: str, token: str, code: str, timeout: float = 60) -> dict:
    """Start a kernel, run ``code``, and return {"stdout": ..., "error": ename or None, "evalue": ...}."""
    headers = {"Authorization": f"token {token}"}
    kernel = requests.post(f"{base_url}api/kernels", headers=headers, json={"name": "python3"}, timeout=30)
    kernel.raise_for_status()
    kernel_id = kernel.json()["id"]
    ws_url = base_url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, error, evalue = [], None, None
        while True:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                error, evalue = msg["content"]["ename"], msg["content"]["evalue"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        return {"stdout": "".join(out), "error": error, "evalue": evalue}
    finally:
        ws.close()
        requests.delete(f"{base_url}api/kernels/{kernel_id}", headers=headers, timeout=30)
