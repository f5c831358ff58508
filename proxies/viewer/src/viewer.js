// The viewer page of one Datalabs desktop application: noVNC connected through the Jupyter server
// (jupyter-server-proxy's raw socket proxy to Xvnc's unix socket). The page is served under
// <base>/desktop/<id>/ and the websocket under <base>/vnc-<id>/, so both URLs are relative.
import RFB from "@novnc/novnc";

const page = document.body.dataset;
const screen = document.getElementById("screen");
const statusBox = document.getElementById("status");
const panel = document.getElementById("clipboard-panel");
const text = document.getElementById("clipboard-text");

const wsUrl = new URL(`../../vnc-${page.app}/`, window.location);
wsUrl.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
const sessionUrl = new URL("api/session", window.location);

let rfb = null;
let retries = 0;
let lastClipboard = null;

function setState(state, message) {
  document.body.dataset.state = state;
  statusBox.textContent = message;
  statusBox.hidden = state === "connected";
}

function xsrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Make sure the application runs (it is restarted if it was closed or crashed), then connect again.
async function restartAndConnect() {
  setState("restarting", "The application ended; starting it again...");
  try {
    const response = await fetch(sessionUrl, {
      method: "POST",
      headers: { "X-XSRFToken": xsrfToken() },
      credentials: "same-origin",
    });
    if (response.status === 403 || response.status === 401) {
      setState("failed", "Your session has expired: reload the page to log in again.");
      return;
    }
    if (!response.ok) throw new Error(await response.text());
  } catch (error) {
    if (retries++ > 20) {
      setState("failed", `Could not start the application: ${error}. Reload the page to try again.`);
      return;
    }
  }
  setTimeout(connect, Math.min(200 * 2 ** Math.min(retries, 4), 3000));
}

function connect() {
  setState("connecting", "Connecting...");
  rfb = new RFB(screen, wsUrl.toString(), { shared: true });
  rfb.resizeSession = true; // the X screen (and the maximised window) follows the browser window
  rfb.scaleViewport = false;
  rfb.focusOnClick = true;
  rfb.background = "#202020";
  rfb.addEventListener("connect", () => {
    retries = 0;
    setState("connected", "");
    rfb.focus();
  });
  rfb.addEventListener("disconnect", () => {
    rfb = null;
    restartAndConnect();
  });
  rfb.addEventListener("desktopname", (e) => {
    document.title = e.detail.name;
  });
  // application -> browser: Xvnc sends the X CLIPBOARD/PRIMARY; put it on the system clipboard
  rfb.addEventListener("clipboard", (e) => {
    lastClipboard = e.detail.text;
    text.value = e.detail.text;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(e.detail.text).catch(() => {});
    }
  });
  window.datalabsViewer = { rfb };
}

// browser -> application: on a paste shortcut, send the system clipboard first, then the keys
const PASTE_KEYS = {
  v: [[0xffe3, "ControlLeft"], [0x76, "KeyV"]],
  Insert: [[0xffe1, "ShiftLeft"], [0xff63, "Insert"]],
};

function pasteShortcut(e) {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "v") return PASTE_KEYS.v;
  if (e.shiftKey && e.key === "Insert") return PASTE_KEYS.Insert;
  return null;
}

async function sendClipboard() {
  const value = await navigator.clipboard.readText();
  if (rfb && value !== lastClipboard) {
    lastClipboard = value;
    text.value = value;
    rfb.clipboardPasteFrom(value);
  }
}

window.addEventListener(
  "keydown",
  (e) => {
    const keys = pasteShortcut(e);
    if (!keys || !rfb || e.target === text || !(navigator.clipboard && navigator.clipboard.readText)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    sendClipboard()
      .catch(() => {}) // permission refused: the manual panel still works
      .finally(() => {
        if (!rfb) return;
        for (const [sym, code] of keys) rfb.sendKey(sym, code, true);
        for (const [sym, code] of [...keys].reverse()) rfb.sendKey(sym, code, false);
      });
  },
  true,
);

// coming back to the tab (e.g. after copying elsewhere): offer the clipboard to the application
window.addEventListener("focus", async () => {
  try {
    const permission = await navigator.permissions.query({ name: "clipboard-read" });
    if (permission.state === "granted") await sendClipboard();
  } catch (error) {
    // no Permissions API for the clipboard: the paste shortcut and the panel still work
  }
});

// the manual panel, for browsers that refuse clipboard access
document.getElementById("clipboard-button").addEventListener("click", () => {
  panel.hidden = !panel.hidden;
  if (!panel.hidden) text.focus();
});
text.addEventListener("input", () => {
  lastClipboard = text.value;
  if (rfb) rfb.clipboardPasteFrom(text.value);
});

connect();
