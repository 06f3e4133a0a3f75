// @ts-check
/**
 * The chat page. It talks to ws(s)://<this page's host>/ws, so it works unchanged behind any
 * proxy, port or TLS terminator. Message text is only ever put into the page as text nodes.
 *
 * One room at a time (the #hash names it). The page remembers the last message id it has of each
 * room and rejoins with it after a reconnect, so a restart of its server leaves no hole.
 */

/** Reconnect delays: full jitter over an exponential backoff from 0.5 s, capped at 15 s. */
const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 15_000;
/** Messages shown when entering a room (or after a reload). */
const RECENT = 50;
/** Messages kept on screen; older ones are removed so a long session does not grow without end. */
const MAX_SHOWN = 500;
const ROOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const statusEl = byId('status');
const listEl = /** @type {HTMLOListElement} */ (byId('messages'));
const membersEl = byId('members');
const memberCountEl = byId('member-count');
const roomTitleEl = byId('room-title');
const roomForm = /** @type {HTMLFormElement} */ (byId('room-form'));
const roomEl = /** @type {HTMLInputElement} */ (byId('room'));
const formEl = /** @type {HTMLFormElement} */ (byId('composer'));
const nameEl = /** @type {HTMLInputElement} */ (byId('name'));
const messageEl = /** @type {HTMLInputElement} */ (byId('message'));
const sendEl = /** @type {HTMLButtonElement} */ (byId('send'));

/**
 * @typedef {{id: string, name: string}} Member
 * @typedef {{type?: string, room?: string, id?: string, ts?: number, from?: string, message?: string,
 *   ref?: string, code?: string, position?: string, truncated?: boolean, members?: Member[],
 *   event?: 'join' | 'leave', member?: Member}} Frame
 */

nameEl.value = localStorage.getItem('chat.name') ?? '';
let room = roomFromHash() ?? 'general';
/** @type {WebSocket | undefined} */
let socket;
let attempt = 0;
let refCounter = 0;
/** The last message id this page has of each room: where to resume after a reconnect. */
const lastSeen = new Map();
/** Messages sent and not yet acknowledged, by ref, so a failure can say which one failed. */
const pending = new Map();
/** The current room's members, by id. */
const members = new Map();

function roomFromHash() {
  const name = decodeURIComponent(location.hash.slice(1));
  return ROOM_NAME.test(name) ? name : undefined;
}

/**
 * @param {string} a
 * @param {string} b
 */
function newer(a, b) {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

/** @param {string} roomName */
function joinParams(roomName) {
  const since = lastSeen.get(roomName);
  /** @type {Record<string, string | number>} */
  const params = since === undefined ? { history: RECENT } : { since };
  const name = nameEl.value.trim();
  return name === '' ? params : { ...params, name };
}

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams({
    room,
    ...Object.fromEntries(Object.entries(joinParams(room)).map(([k, v]) => [k, String(v)])),
  });
  return `${scheme}//${location.host}/ws?${query}`;
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
  /** @type {Frame} */
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return;
  }
  switch (frame.type) {
    case 'message':
      if (frame.room === room && frame.id !== undefined) {
        if (!lastSeen.has(room) || newer(frame.id, lastSeen.get(room))) lastSeen.set(room, frame.id);
        showMessage(frame.from ?? '', frame.message ?? '', frame.ts ?? Date.now());
      }
      return;
    case 'joined':
      if (frame.room !== room) return;
      attempt = 0;
      // A rejoin (after a name change) answers with `joined` too: only a real change is shown.
      if (statusEl.dataset.state !== 'connected') setStatus('connected', 'Connected');
      // Nothing newer seen yet: the room's position at the join is where to resume.
      if (frame.position !== undefined && !lastSeen.has(room)) lastSeen.set(room, frame.position);
      if (frame.truncated)
        showNotice('Some messages were missed while you were away: they are older than the history kept.');
      return;
    case 'presence':
      if (frame.room === room) onPresence(frame);
      return;
    case 'ack':
      if (frame.ref !== undefined) pending.delete(frame.ref);
      return;
    case 'error': {
      const original = frame.ref === undefined ? undefined : pending.get(frame.ref);
      if (frame.ref !== undefined) pending.delete(frame.ref);
      showNotice(original === undefined ? `Error: ${frame.message}` : `Not sent: “${original}” — ${frame.message}`);
      return;
    }
  }
}

/** @param {Frame} frame */
function onPresence(frame) {
  if (frame.members !== undefined) {
    members.clear();
    for (const member of frame.members) members.set(member.id, member);
  } else if (frame.member !== undefined) {
    if (frame.event === 'leave') members.delete(frame.member.id);
    else members.set(frame.member.id, frame.member);
  }
  const names = [...members.values()].map((member) => member.name || 'anonymous').sort((a, b) => a.localeCompare(b));
  membersEl.replaceChildren(
    ...names.map((name) => {
      const item = document.createElement('li');
      item.textContent = name;
      return item;
    }),
  );
  memberCountEl.textContent = `(${names.length})`;
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

/** @param {object} frame */
function send(frame) {
  if (socket?.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

/** @param {string} next */
function enterRoom(next) {
  if (next === room) return;
  send({ type: 'leave', room });
  room = next;
  lastSeen.delete(room); // a fresh entry shows the recent messages again
  listEl.replaceChildren();
  members.clear();
  onPresence({});
  showRoom();
  send({ type: 'join', room, ...joinParams(room) });
}

function showRoom() {
  roomTitleEl.textContent = `#${room}`;
  roomEl.value = room;
  document.title = `#${room} · Chat`;
  if (location.hash.slice(1) !== room) history.replaceState(null, '', `#${room}`);
}

roomForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const next = roomEl.value.trim();
  if (ROOM_NAME.test(next)) enterRoom(next);
});

window.addEventListener('hashchange', () => {
  const next = roomFromHash();
  if (next !== undefined) enterRoom(next);
});

nameEl.addEventListener('change', () => {
  const name = nameEl.value.trim();
  localStorage.setItem('chat.name', name);
  // Joining the room again updates the name the other members see.
  if (name !== '') send({ type: 'join', room, name });
});

formEl.addEventListener('submit', (event) => {
  event.preventDefault();
  const from = nameEl.value.trim();
  const message = messageEl.value;
  if (from === '' || message.trim() === '') return;
  const ref = `r${++refCounter}`;
  if (!send({ type: 'message', room, from, message, ref })) return;
  localStorage.setItem('chat.name', from);
  pending.set(ref, message);
  messageEl.value = '';
  messageEl.focus();
});

showRoom();
connect();
