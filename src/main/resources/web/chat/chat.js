// The Portcullis chat page: talks to this gateway only, with the caller's own key (kept in
// sessionStorage, never in localStorage or a URL). Answers stream over fetch (EventSource cannot send
// an Authorization header) and are rendered as markdown only after DOMPurify has cleaned the HTML.
'use strict';

(function () {
  const KEY = 'portcullis.key';
  const $ = (id) => document.getElementById(id);
  const keyInput = $('api-key');
  const modelSelect = $('model');
  const prompt = $('prompt');
  const sendButton = $('send');
  const stopButton = $('stop');
  const messages = $('messages');
  const errorBox = $('error');
  const count = $('count');

  /** The conversation so far, as the API takes it. */
  const conversation = [];
  /** The gateway's own limits (characters of one message, of the whole request; bytes of a body). */
  let limits = { max_message_chars: 100000, max_total_chars: 1000000, max_body_bytes: 1048576 };
  let controller = null;

  // Links open elsewhere and never carry a script: DOMPurify drops javascript: URLs and every event
  // handler; this hook makes what is left safe to follow.
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });

  function render(markdown) {
    return DOMPurify.sanitize(marked.parse(markdown), { FORBID_TAGS: ['style', 'form', 'input', 'iframe'], FORBID_ATTR: ['style'] });
  }

  function authHeaders() {
    const key = keyInput.value.trim();
    return key ? { authorization: 'Bearer ' + key } : {};
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  /** An error response in words: what went wrong and, for a limit, how long to wait. */
  async function describe(res) {
    let message = '';
    try {
      const body = await res.json();
      message = (body.error && body.error.message) || '';
    } catch (e) {
      // not JSON: the status says enough
    }
    switch (res.status) {
      case 401: return 'Your key was not accepted (' + (message || 'unauthorized') + '). Check it and try again.';
      case 403: return 'Your key may not use this: ' + message;
      case 413: return 'Your message is too large for the gateway.';
      case 429: {
        const wait = res.headers.get('retry-after');
        return 'Rate limited: try again in ' + (wait || '?') + ' s. ' + message;
      }
      default: return 'The gateway answered ' + res.status + ': ' + message;
    }
  }

  async function loadModels() {
    if (!keyInput.value.trim()) {
      return;
    }
    try {
      const res = await fetch('/v1/models', { headers: authHeaders() });
      if (!res.ok) {
        showError(await describe(res));
        return;
      }
      const list = await res.json();
      const chosen = modelSelect.value;
      modelSelect.replaceChildren(...list.data.map((m) => {
        const option = document.createElement('option');
        option.value = m.id;
        option.textContent = m.id;
        return option;
      }));
      if (chosen && list.data.some((m) => m.id === chosen)) {
        modelSelect.value = chosen;
      }
      showError('');
    } catch (e) {
      showError('The gateway cannot be reached.');
    }
  }

  async function loadLimits() {
    try {
      const res = await fetch('limits.json');
      if (res.ok) {
        limits = await res.json();
        prompt.maxLength = limits.max_message_chars;
      }
    } catch (e) {
      // the defaults stand; the gateway enforces its limits anyway
    }
  }

  function add(role, text) {
    const div = document.createElement('div');
    div.className = role;
    if (role === 'user') {
      div.textContent = text; // the user's own text is never parsed as HTML
    }
    messages.appendChild(div);
    div.scrollIntoView({ block: 'end' });
    return div;
  }

  function totalChars() {
    return conversation.reduce((n, m) => n + m.content.length, 0);
  }

  /** Reads an SSE body as it arrives, calling onData with each event's data. */
  async function readEvents(res, onData) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
        if (data && onData(data) === false) {
          return;
        }
      }
    }
  }

  async function send(event) {
    event.preventDefault();
    const text = prompt.value;
    if (!text.trim() || controller) {
      return;
    }
    if (text.length > limits.max_message_chars) {
      showError('Your message is longer than the gateway allows (' + limits.max_message_chars + ' characters).');
      return;
    }
    if (totalChars() + text.length > limits.max_total_chars) {
      showError('The conversation is longer than the gateway allows: start a new one (reload the page).');
      return;
    }
    if (!modelSelect.value) {
      await loadModels();
      if (!modelSelect.value) {
        showError('Enter your key to see your models.');
        return;
      }
    }
    showError('');
    conversation.push({ role: 'user', content: text });
    add('user', text);
    prompt.value = '';
    updateCount();
    const reply = add('assistant', '');
    reply.dataset.state = 'streaming';
    controller = new AbortController();
    sendButton.disabled = true;
    stopButton.disabled = false;
    let answer = '';
    let finished = false;
    let pending = false;
    const paint = () => {
      pending = false;
      reply.innerHTML = render(answer);
    };
    try {
      const body = JSON.stringify({ model: modelSelect.value, stream: true, messages: conversation });
      if (new Blob([body]).size > limits.max_body_bytes) {
        throw new Error('The conversation is too large for the gateway: start a new one (reload the page).');
      }
      const res = await fetch('/v1/chat/completions', {
        method: 'POST',
        headers: Object.assign({ 'content-type': 'application/json', accept: 'text/event-stream' }, authHeaders()),
        body,
        signal: controller.signal,
      });
      if (!res.ok) {
        throw new Error(await describe(res));
      }
      let failure = null;
      await readEvents(res, (data) => {
        if (data === '[DONE]') {
          finished = true;
          return false;
        }
        const chunk = JSON.parse(data);
        if (chunk.error) {
          failure = chunk.error.message || 'the stream failed';
          return false;
        }
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (delta && typeof delta.content === 'string' && delta.content) {
          answer += delta.content;
          if (!pending) {
            pending = true;
            requestAnimationFrame(paint);
          }
        }
        return true;
      });
      paint();
      if (failure) {
        throw new Error('The answer was cut: ' + failure);
      }
      if (!finished) {
        throw new Error('The answer was cut: the stream ended early.');
      }
      reply.dataset.state = 'done';
      conversation.push({ role: 'assistant', content: answer });
    } catch (e) {
      paint();
      if (e.name === 'AbortError') {
        reply.dataset.state = 'done';
        const note = document.createElement('p');
        note.className = 'note';
        note.textContent = '(stopped)';
        reply.appendChild(note);
        conversation.push({ role: 'assistant', content: answer });
      } else {
        reply.dataset.state = 'error';
        showError(e.message);
        conversation.pop(); // the question goes again with the next send
      }
    } finally {
      controller = null;
      sendButton.disabled = false;
      stopButton.disabled = true;
    }
  }

  function updateCount() {
    count.textContent = prompt.value.length ? prompt.value.length + ' / ' + limits.max_message_chars : '';
  }

  keyInput.value = sessionStorage.getItem(KEY) || '';
  keyInput.addEventListener('change', () => {
    sessionStorage.setItem(KEY, keyInput.value.trim());
    loadModels();
  });
  $('settings').addEventListener('submit', (e) => e.preventDefault());
  $('compose').addEventListener('submit', send);
  prompt.addEventListener('input', updateCount);
  prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      send(e);
    }
  });
  stopButton.addEventListener('click', () => controller && controller.abort());
  loadLimits();
  loadModels();
}());
