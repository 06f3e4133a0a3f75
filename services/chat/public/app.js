// @ts-check
/**
 * The chat page. It talks to ws(s)://<this page's host>/ws, so it works unchanged behind any
 * proxy, port or TLS terminator. Message text is only ever put into the page as text nodes.
 */

/** Reconnect delays: full jitter over an exponential backoff from 0.5 s, capped at 15 s. */
const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 15_000;
/** Messages kept on screen; older ones are removed so a long session does not grow without end. */
const MAX_SHOWN = 500;

const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
const listEl = /** @type {HTMLOListElement} */ (document.getElementById('messages'));
const formEl = /** @type {HTMLFormElement} */ (document.getElementById('composer'));
const nameEl = /** @type {HTMLInputElement} */ (document.getElementById('name'));
const messageEl = /** @type {HTMLInputElement} */ (document.getElementById('message'));
const sendEl = /** @type {HTMLButtonElement} */ (document.getElementById('send'));

nameEl.value = localStorage.getItem('chat.name') ?? '';
nameEl.addEventListener('change', () => localStorage.setItem('chat.name', nameEl.value.trim()));

/** @type {WebSocket | undefined} */
let socket;
let attempt = 0;
let refCounter = 0;
/** Messages sent and not yet acknowledged, by ref, so a failure can say which one failed. */
const pending = new Map();

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * @param {'connecting' | 'connected' | 'disconnected'} state
 * @param {string} text
 */
function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
  sendEl.disabled = state !== 'connected';
}

function connect() {
  setStatus('connecting', attempt === 0 ? 'Connecting…' : 'Reconnecting…');
  const ws = new WebSocket(socketUrl());
  socket = ws;
  ws.addEventListener('open', () => {
    attempt = 0;
    setStatus('connected', 'Connected');
  });
  ws.addEventListener('message', (event) => onFrame(String(event.data)));
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    socket = undefined;
    failPending('the connection closed before the server confirmed it');
    const delay = Math.round(Math.random() * Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** attempt));
    attempt++;
    const why = event.code === 1001 ? 'server restarting' : `code ${event.code}`;
    setStatus('disconnected', `Disconnected (${why}) — reconnecting in ${(delay / 1000).toFixed(1)} s`);
    setTimeout(connect, delay);
  });
}

/** @param {string} text */
function onFrame(text) {
  /** @type {{type?: string, from?: string, message?: string, ts?: number, ref?: string, code?: string}} */
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return;
  }
  if (frame.type === 'ack' && frame.ref !== undefined) {
    pending.delete(frame.ref);
  } else if (frame.type === 'error') {
    const original = frame.ref === undefined ? undefined : pending.get(frame.ref);
    if (frame.ref !== undefined) pending.delete(frame.ref);
    showNotice(original === undefined ? `Error: ${frame.message}` : `Not sent: “${original}” — ${frame.message}`);
  } else if (typeof frame.from === 'string' && typeof frame.message === 'string') {
    showMessage(frame.from, frame.message, typeof frame.ts === 'number' ? frame.ts : Date.now());
  }
}

/** @param {string} reason */
function failPending(reason) {
  for (const text of pending.values()) showNotice(`Maybe not sent: “${text}” — ${reason}`);
  pending.clear();
}

/**
 * @param {string} from
 * @param {string} message
 * @param {number} ts
 */
function showMessage(from, message, ts) {
  const item = document.createElement('li');
  if (from === nameEl.value.trim()) item.classList.add('mine');
  const time = document.createElement('time');
  time.className = 'time';
  time.dateTime = new Date(ts).toISOString();
  time.textContent = new Date(ts).toLocaleTimeString();
  const fromEl = document.createElement('span');
  fromEl.className = 'from';
  fromEl.textContent = from;
  const textEl = document.createElement('span');
  textEl.className = 'text';
  textEl.textContent = message;
  item.append(time, fromEl, textEl);
  append(item);
}

/** @param {string} text */
function showNotice(text) {
  const item = document.createElement('li');
  item.className = 'notice';
  item.textContent = text;
  append(item);
}

/** @param {HTMLLIElement} item */
function append(item) {
  const atBottom = listEl.scrollTop + listEl.clientHeight >= listEl.scrollHeight - 8;
  listEl.append(item);
  while (listEl.children.length > MAX_SHOWN) listEl.firstElementChild?.remove();
  if (atBottom) listEl.scrollTop = listEl.scrollHeight;
}

formEl.addEventListener('submit', (event) => {
  event.preventDefault();
  const from = nameEl.value.trim();
  const message = messageEl.value;
  if (from === '' || message.trim() === '' || socket?.readyState !== WebSocket.OPEN) return;
  localStorage.setItem('chat.name', from);
  const ref = `r${++refCounter}`;
  pending.set(ref, message);
  socket.send(JSON.stringify({ type: 'message', from, message, ref }));
  messageEl.value = '';
  messageEl.focus();
});

connect();
