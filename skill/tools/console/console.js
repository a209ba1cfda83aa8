// The test console's page: sends what is typed (or said) to the console API, shows and speaks the
// reply, and shows what went each way. Plain script, no build step, no library.
"use strict";

const $ = (id) => document.getElementById(id);
const API = "api";

// --- SSML to speech: text segments at a rate, and pauses (what the browser can honour) ----------

const RATES = { "x-slow": 0.6, slow: 0.8, medium: 1, fast: 1.25, "x-fast": 1.5 };
const BREAKS = { none: 0, "x-weak": 100, weak: 250, medium: 400, strong: 700, "x-strong": 1000 };
const SENTENCE_MS = 300;
const PARAGRAPH_MS = 700;

function rateOf(value, inherited) {
  if (!value) return inherited;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  const rate = percent ? Number(percent[1]) / 100 : RATES[value.trim()];
  return rate ? Math.min(2, Math.max(0.5, rate)) : inherited;
}

function breakMs(element) {
  const time = /^(\d+(?:\.\d+)?)(ms|s)$/.exec((element.getAttribute("time") || "").trim());
  if (time) return Math.min(10000, Number(time[1]) * (time[2] === "s" ? 1000 : 1));
  return BREAKS[element.getAttribute("strength") || "medium"] ?? BREAKS.medium;
}

// [{text, rate} | {pause}], in order. Tags Alexa knows but a browser cannot do (voices, effects,
// audio) keep their words, or are left out.
function ssmlToSegments(ssml) {
  // Alexa's SSML uses "amazon:" tags without declaring the namespace; XML would refuse them.
  const xml = ssml.replace(/<(\/?)[\w-]+:/g, "<$1");
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.querySelector("parsererror")) {
    return [{ text: ssml.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim(), rate: 1 }];
  }
  const segments = [];
  const say = (text, rate) => {
    const last = segments[segments.length - 1];
    if (last && last.rate === rate) last.text += text;
    else segments.push({ text, rate });
  };
  const pause = (ms) => ms > 0 && segments.push({ pause: ms });
  const walk = (node, rate) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) say(child.data, rate);
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = child.localName;
      if (tag === "break") pause(breakMs(child));
      else if (tag === "prosody") walk(child, rateOf(child.getAttribute("rate"), rate));
      else if (tag === "sub") say(child.getAttribute("alias") || child.textContent, rate);
      else if (tag === "p") { pause(PARAGRAPH_MS); walk(child, rate); pause(PARAGRAPH_MS); }
      else if (tag === "s") { walk(child, rate); pause(SENTENCE_MS); }
      else if (tag !== "audio") walk(child, rate);
    }
  };
  walk(doc.documentElement, 1);
  return segments
    .map((s) => ("text" in s ? { ...s, text: s.text.replace(/\s+/g, " ").trim() } : s))
    .filter((s) => s.pause || s.text);
}

// --- the speaker -------------------------------------------------------------------------------

const speaker = {
  generation: 0,
  timer: null,
  stop() {
    this.generation += 1;
    clearTimeout(this.timer);
    if (window.speechSynthesis) speechSynthesis.cancel();
  },
  say(ssml, lang) {
    this.stop();
    if (!$("speak").checked || !window.speechSynthesis || !ssml) return;
    const mine = this.generation;
    const queue = ssmlToSegments(ssml);
    const voice = speechSynthesis.getVoices().find((v) => v.lang.replace("_", "-") === lang);
    const next = () => {
      if (mine !== this.generation || !queue.length) return;
      const segment = queue.shift();
      if (segment.pause) {
        this.timer = setTimeout(next, segment.pause);
        return;
      }
      const utterance = new SpeechSynthesisUtterance(segment.text);
      utterance.lang = lang;
      utterance.rate = segment.rate;
      if (voice) utterance.voice = voice;
      utterance.onend = utterance.onerror = next;
      speechSynthesis.speak(utterance);
    };
    next();
  },
};

// --- talking to the API ------------------------------------------------------------------------

const state = { session: null, turns: 0, card: null };

async function call(path, body) {
  const response = await fetch(`${API}/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw Object.assign(new Error(answer.error || "error"), { status: response.status });
  return answer;
}

async function openConsoleSession() {
  const who = { locale: $("locale").value, student: $("student").value, name: $("name").value };
  state.session = (await call("sessions", who)).id;
  setSessionBadge(false);
  return who;
}

async function act(action, utterance) {
  if (!state.session) await openConsoleSession();
  const body = { action, utterance };
  try {
    return (await call(`sessions/${state.session}/turns`, body)).turn;
  } catch (error) {
    if (error.status !== 404) throw error;
    await openConsoleSession(); // the server forgot this tab (restarted): start afresh
    return (await call(`sessions/${state.session}/turns`, body)).turn;
  }
}

async function run(action, utterance = "") {
  setBusy(true);
  speaker.stop();
  try {
    const turn = await act(action, utterance);
    if (turn) show(turn, action);
    else status("No session is open.");
  } catch (error) {
    status(error.message, true);
    return false;
  } finally {
    setBusy(false);
  }
  return true;
}

// --- showing a turn ----------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function show(turn, action) {
  state.turns += 1;
  const said = action === "say" ? turn.utterance : action === "launch" ? "(opens the skill)" : "(ends the session)";
  const transcript = $("transcript");
  transcript.querySelector(".hint")?.remove();
  transcript.append(el("li", "you", said));
  if (turn.speech || turn.reprompt) {
    const reply = el("li", "alexa");
    reply.append(el("p", "speech", turn.speech));
    if (turn.reprompt) reply.append(el("p", "reprompt", `Reprompt: ${turn.reprompt}`));
    transcript.append(reply);
  }
  transcript.lastElementChild.scrollIntoView({ block: "nearest" });
  setSessionBadge(turn.in_session);
  status("");
  showResolution(turn.resolution);
  showCard(turn.card);
  showQuiz(turn.quiz);
  $("attributes").textContent = JSON.stringify(turn.session_attributes, null, 2);
  showExchange(turn, said);
  speaker.say(turn.ssml, $("locale").value);
}

function showResolution(resolution) {
  const box = $("resolution");
  box.className = "";
  box.replaceChildren();
  const facts = el("dl", "facts");
  const fact = (term, value) => value && facts.append(el("dt", "", term), el("dd", "", value));
  fact("Request", resolution.type);
  fact("Intent", resolution.intent);
  fact("Sample", resolution.sample);
  box.append(facts);
  if (!resolution.slots.length) return;
  const table = el("table", "slots");
  const head = table.createTHead().insertRow();
  for (const name of ["Slot", "Heard", "Resolved", "Status"]) head.append(el("th", "", name));
  for (const slot of resolution.slots) {
    const row = table.insertRow();
    for (const cell of [slot.name, slot.value, slot.resolved || "–", slot.status || "–"]) row.insertCell().textContent = cell;
  }
  box.append(table);
}

// The Alexa app keeps showing the last card until another comes, so the console does too.
function showCard(card) {
  const box = $("card");
  if (card) state.card = { ...card, turn: state.turns };
  box.replaceChildren();
  box.className = state.card ? (card ? "" : "earlier") : "empty";
  if (!state.card) {
    box.textContent = "No card yet.";
    return;
  }
  if (!card) box.append(el("p", "card-note empty", `No card with this reply; the app still shows turn ${state.card.turn}'s.`));
  const shown = el("article", "alexa-card");
  shown.append(el("p", "card-skill", "History Revision"), el("h3", "", state.card.title), el("p", "card-text", state.card.content));
  box.append(shown);
}

function showQuiz(quiz) {
  const box = $("quiz");
  box.replaceChildren();
  box.className = quiz ? "" : "empty";
  if (!quiz) {
    box.textContent = "No quiz in this session.";
    return;
  }
  const where = quiz.question ? `Question ${quiz.question} of ${quiz.questions}` : `Finished (${quiz.questions} questions)`;
  box.append(el("p", "quiz-where", `${where} · ${quiz.phase.replace("_", " ")} · score ${quiz.score}`));
  if (quiz.answers.length) {
    const marks = el("ol", "marks");
    for (const given of quiz.answers) marks.append(el("li", given.outcome, `${given.outcome} (${given.points})`));
    box.append(marks);
  }
  if (quiz.asking) {
    box.append(el("p", "", quiz.asking.question + (quiz.hinted ? " (hint given)" : "")));
    if (quiz.asking.options.length) {
      const options = el("ol", "options");
      for (const option of quiz.asking.options) options.append(el("li", "", option));
      box.append(options);
    }
    const key = el("details", "answer-key");
    key.append(el("summary", "", "Answer key"), el("p", "", quiz.asking.answer));
    box.append(key);
  }
}

function showExchange(turn, said) {
  const log = $("exchanges");
  for (const open of log.querySelectorAll("details[open]")) open.open = false;
  const exchange = el("details", "exchange");
  exchange.open = true;
  exchange.append(el("summary", "", `Turn ${state.turns}: ${said} → ${turn.resolution.intent || turn.resolution.type}`));
  exchange.append(jsonBlock("Request envelope", turn.request), jsonBlock("Response", turn.response));
  log.prepend(exchange);
}

function jsonBlock(title, document) {
  const block = el("div", "json-block");
  const text = JSON.stringify(document, null, 2);
  const copy = el("button", "copy", "Copy");
  copy.type = "button";
  copy.setAttribute("aria-label", `Copy the ${title.toLowerCase()}`);
  copy.addEventListener("click", () => copyText(text, copy));
  block.append(el("h3", "", title), copy, el("pre", "json", text));
  return block;
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy";
  }
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

// --- controls ----------------------------------------------------------------------------------

function status(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

function setBusy(busy) {
  for (const id of ["send", "launch", "end"]) $(id).disabled = busy;
  if (busy) status("Waiting for the skill…");
}

function setSessionBadge(open) {
  $("session-state").textContent = open ? "session open" : "no session";
  $("session-state").classList.toggle("open", open);
}

function listen() {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  const mic = $("mic");
  if (!Recognition) return;
  mic.hidden = false;
  let recognizer = null;
  mic.addEventListener("click", () => {
    if (recognizer) return recognizer.stop();
    speaker.stop();
    recognizer = new Recognition();
    recognizer.lang = $("locale").value;
    recognizer.interimResults = true;
    recognizer.onresult = (event) => {
      const result = event.results[event.results.length - 1];
      $("utterance").value = result[0].transcript;
      if (result.isFinal) $("say").requestSubmit();
    };
    recognizer.onerror = (event) => status(`Microphone: ${event.error}`, true);
    recognizer.onend = () => {
      recognizer = null;
      mic.setAttribute("aria-pressed", "false");
    };
    recognizer.start();
    mic.setAttribute("aria-pressed", "true");
    status("Listening…");
  });
}

function remember() {
  for (const id of ["locale", "student", "name"]) localStorage.setItem(`console.${id}`, $(id).value);
  localStorage.setItem("console.speak", $("speak").checked ? "on" : "off");
}

async function changeStudent() {
  $("name-field").hidden = $("student").value !== "returning";
  remember();
  speaker.stop();
  try {
    const who = await openConsoleSession();
    const student = who.student === "new" ? "a new student" : `returning student “${who.name}”`;
    $("transcript").append(el("li", "divider", `Now ${student}, ${who.locale}`));
    state.card = null; // another student's Alexa app
    showCard(null);
    status("");
  } catch (error) {
    status(error.message, true);
  }
}

async function start() {
  const options = await call("options");
  for (const locale of options.locales) $("locale").append(new Option(locale, locale));
  for (const id of ["locale", "student", "name"]) {
    const kept = localStorage.getItem(`console.${id}`);
    if (kept) $(id).value = kept;
  }
  $("speak").checked = localStorage.getItem("console.speak") !== "off";
  $("name-field").hidden = $("student").value !== "returning";

  $("say").addEventListener("submit", async (event) => {
    event.preventDefault();
    const utterance = $("utterance").value.trim();
    if (!utterance) return;
    if (await run("say", utterance)) $("utterance").value = "";
    $("utterance").focus();
  });
  $("setup").addEventListener("submit", (event) => event.preventDefault());
  for (const id of ["locale", "student", "name"]) $(id).addEventListener("change", changeStudent);
  $("launch").addEventListener("click", () => run("launch"));
  $("end").addEventListener("click", () => run("end"));
  $("speak").addEventListener("change", () => {
    remember();
    if (!$("speak").checked) speaker.stop();
  });
  document.addEventListener("keydown", (event) => event.key === "Escape" && speaker.stop());
  listen();
  await openConsoleSession();
  $("utterance").focus();
}

window.TestConsole = { ssmlToSegments, rateOf };
start().catch((error) => status(`Cannot reach the console API: ${error.message}`, true));
