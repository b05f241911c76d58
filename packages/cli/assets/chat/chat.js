// The PIO chat page: plain browser JavaScript served by `pio serve` at GET / (no build step, nothing from a CDN).
// It talks to the same OpenAI-compatible API as any client: GET /v1/models, then POST /v1/chat/completions with
// stream: true, read as server-sent events through fetch; Stop aborts the fetch (the server ends the generation).
const $ = (id) => document.getElementById(id);
const els = {
  model: $('model'),
  maxTokens: $('max-tokens'),
  temperature: $('temperature'),
  apiKey: $('api-key'),
  newChat: $('new-chat'),
  messages: $('messages'),
  empty: $('empty'),
  form: $('composer'),
  prompt: $('prompt'),
  image: $('image'),
  attachments: $('attachments'),
  send: $('send'),
  stop: $('stop'),
  status: $('status'),
};

/** The conversation sent with every request, in OpenAI's message format. */
let history = [];
/** Images attached to the next message, as data: URLs. */
let pending = [];
/** Aborts the answer being streamed. */
let controller;

els.apiKey.value = localStorage.getItem('pio-api-key') ?? '';
els.apiKey.addEventListener('change', () => {
  localStorage.setItem('pio-api-key', els.apiKey.value);
  void loadModels();
});

function headers() {
  const h = { 'Content-Type': 'application/json' };
  if (els.apiKey.value) h.Authorization = `Bearer ${els.apiKey.value}`;
  return h;
}

function setStatus(text, isError = false) {
  els.status.textContent = text;
  els.status.classList.toggle('error', isError);
}

async function errorText(response) {
  try {
    const body = await response.json();
    return body.error?.message ?? `${response.status} ${response.statusText}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

async function loadModels() {
  try {
    const response = await fetch('/v1/models', { headers: headers() });
    if (!response.ok) throw new Error(await errorText(response));
    const { data } = await response.json();
    const previous = els.model.value;
    els.model.replaceChildren(...data.map((m) => new Option(m.id, m.id)));
    if (data.some((m) => m.id === previous)) els.model.value = previous;
    setStatus(data.length === 0 ? 'No model is loaded: start pio serve with --model.' : '');
    els.send.disabled = data.length === 0;
  } catch (error) {
    setStatus(`Cannot list the models: ${error.message}`, true);
  }
}

function addMessage(role, text = '', images = []) {
  els.empty?.remove();
  const box = document.createElement('div');
  box.className = `message ${role}`;
  const label = document.createElement('div');
  label.className = 'role';
  label.textContent = role === 'user' ? 'You' : els.model.value;
  box.append(label);
  for (const url of images) {
    const img = document.createElement('img');
    img.src = url;
    img.alt = 'attached image';
    box.append(img);
  }
  const content = document.createElement('div');
  content.className = 'content';
  content.textContent = text;
  box.append(content);
  els.messages.append(box);
  box.scrollIntoView({ block: 'end' });
  return { box, content };
}

function renderAttachments() {
  els.attachments.replaceChildren(
    ...pending.map((url, i) => {
      const figure = document.createElement('figure');
      const img = document.createElement('img');
      img.src = url;
      img.alt = `image ${i + 1}`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '×';
      remove.title = 'Remove';
      remove.addEventListener('click', () => {
        pending.splice(i, 1);
        renderAttachments();
      });
      figure.append(img, remove);
      return figure;
    }),
  );
}

els.image.addEventListener('change', async () => {
  for (const file of els.image.files) {
    pending.push(
      await new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(file);
      }),
    );
  }
  els.image.value = '';
  renderAttachments();
});

/** Yields the JSON payloads of a server-sent event stream (`data: ...` lines; `[DONE]` ends it). */
async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        yield JSON.parse(data);
      }
    }
  }
}

let scrollFrame = 0;

/** Scrolls `box` into view at the next frame (once, however many pieces arrive before it). */
function scrollSoon(box) {
  if (scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    box.scrollIntoView({ block: 'end' });
  });
}

function thinkingBlock(box) {
  let details = box.querySelector('details');
  if (!details) {
    details = document.createElement('details');
    details.open = true;
    const summary = document.createElement('summary');
    summary.textContent = 'Thinking';
    const text = document.createElement('div');
    text.className = 'thinking';
    details.append(summary, text);
    box.querySelector('.content').before(details);
  }
  return details.querySelector('.thinking');
}

function renderToolCalls(box, calls) {
  for (const el of box.querySelectorAll('.tool-call')) el.remove();
  for (const call of calls) {
    const el = document.createElement('div');
    el.className = 'tool-call';
    const code = document.createElement('code');
    code.textContent = `${call.function.name}(${call.function.arguments})`;
    el.append('Tool call: ', code);
    box.append(el);
  }
}

async function send(text) {
  const images = pending;
  pending = [];
  renderAttachments();
  const content = images.length === 0 ? text : [...images.map((url) => ({ type: 'image_url', image_url: { url } })), { type: 'text', text }];
  history.push({ role: 'user', content });
  addMessage('user', text, images);
  const { box, content: answer } = addMessage('assistant');
  controller = new AbortController();
  els.send.hidden = true;
  els.stop.hidden = false;
  setStatus('Generating…');
  const started = performance.now();
  let reply = '';
  let reasoning = '';
  const toolCalls = [];
  let finish = null;
  let usage;
  try {
    const body = {
      model: els.model.value,
      messages: history,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: Number(els.maxTokens.value) || undefined,
      temperature: Number(els.temperature.value),
    };
    const response = await fetch('/v1/chat/completions', { method: 'POST', headers: headers(), body: JSON.stringify(body), signal: controller.signal });
    if (!response.ok) throw new Error(await errorText(response));
    for await (const chunk of events(response.body)) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      // each piece is appended (not the whole text set again) and the view scrolls once a frame: at a thousand tokens
      // a second, rewriting and laying out the whole answer per token froze the page (the Stop button included)
      if (delta.reasoning_content) {
        reasoning += delta.reasoning_content;
        thinkingBlock(box).append(delta.reasoning_content);
      }
      if (delta.content) {
        reply += delta.content;
        answer.append(delta.content);
      }
      for (const call of delta.tool_calls ?? []) {
        const existing = toolCalls[call.index];
        if (existing) existing.function.arguments += call.function?.arguments ?? '';
        else
          toolCalls[call.index] = { id: call.id, type: 'function', function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' } };
        renderToolCalls(box, toolCalls.filter(Boolean));
      }
      if (choice.finish_reason) finish = choice.finish_reason;
      scrollSoon(box);
    }
    setStatus('');
  } catch (error) {
    if (error.name === 'AbortError') {
      finish = 'stopped';
      setStatus('Stopped.');
    } else {
      box.classList.add('error');
      answer.textContent = reply || error.message;
      setStatus(error.message, true);
    }
  } finally {
    controller = undefined;
    els.send.hidden = false;
    els.stop.hidden = true;
    box.querySelector('details')?.removeAttribute('open');
  }
  const seconds = (performance.now() - started) / 1000;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = [finish && `finish: ${finish}`, usage && `${usage.completion_tokens} tokens`, `${seconds.toFixed(1)} s`].filter(Boolean).join(' · ');
  box.append(meta);
  const message = { role: 'assistant', content: reply };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls.filter(Boolean);
  history.push(message);
}

els.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = els.prompt.value.trim();
  if (!text || controller || !els.model.value) return;
  els.prompt.value = '';
  els.prompt.style.height = '';
  void send(text);
});
els.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    els.form.requestSubmit();
  }
});
els.prompt.addEventListener('input', () => {
  els.prompt.style.height = 'auto';
  els.prompt.style.height = `${els.prompt.scrollHeight}px`;
});
els.stop.addEventListener('click', () => controller?.abort());
els.newChat.addEventListener('click', () => {
  controller?.abort();
  history = [];
  els.messages.replaceChildren(els.empty ?? '');
  setStatus('');
});

void loadModels();
