// consent.js: the consent manager and the audience beacon, for the platform's
// own pages and for the authority's other sites. Served by the platform with
// its configuration as the argument (consent-script.ts), minified. No
// dependency, no inline style (the pages' Content-Security-Policy allows
// none): the look comes from consent.css.
//
// C: t tenant, v register version, h configuration hash, th text hash, l
// language, s services [id, name, category, provider, hosts], c categories
// [id, label, service ids], a audience measured, x texts, css stylesheet.
(function (C) {
  var d = document;
  var me = d.currentScript;
  if (!me || window.bastideConsent) return;
  var base = new URL(me.src).origin;
  var own = location.origin === base;
  var api = base + '/api/v1/' + C.t;
  var X = C.x;
  var CONSENT = 'bastide_consent';
  var VID = 'bastide_vid';
  var ids = C.s.map(function (s) {
    return s[0];
  });
  if (C.a) ids.push('audience');
  var state = read();
  var opener = null;
  var bannerEl = null;
  var dialog = null;

  function get(name) {
    var m = d.cookie.match('(?:^|; )' + name + '=([^;]*)');
    return m && m[1];
  }
  // On the platform, each authority's cookies live under its own path.
  function put(name, value, expires) {
    d.cookie =
      name + '=' + value + ';path=' + (own ? '/' + C.t : '/') + ';expires=' + expires.toUTCString() + ';samesite=lax' + (location.protocol == 'https:' ? ';secure' : '');
  }
  function read() {
    var p = (get(CONSENT) || '').split('.');
    if (p.length != 6 || p[0] != '1' || p[2] != C.h || Date.now() - parseInt(p[3], 36) > 183 * 864e5) return null;
    var on = p[4] ? p[4].split('+') : [];
    var c = {};
    ids.forEach(function (i) {
      c[i] = on.indexOf(i) > -1;
    });
    return { id: p[1], c: c };
  }
  function current() {
    var c = {};
    ids.forEach(function (i) {
      c[i] = state ? state.c[i] : i == 'audience';
    });
    return c;
  }
  function allowed(id) {
    return current()[id] === true;
  }
  function all(value) {
    var c = current();
    C.s.forEach(function (s) {
      c[s[0]] = value;
    });
    if (value && C.a) c.audience = true;
    return c;
  }
  function fill(text, o) {
    return text.replace(/\{(\w+)\}/g, function (m, k) {
      return o[k] != null ? o[k] : m;
    });
  }
  function el(tag, attrs, kids) {
    var e = d.createElement(tag);
    for (var k in attrs) {
      if (k == 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (kid) {
      e.appendChild(kid);
    });
    return e;
  }
  function service(id) {
    return C.s.filter(function (s) {
      return s[0] == id;
    })[0];
  }
  // The service whose hosts serve this address, if any.
  function owner(src) {
    var host;
    try {
      var u = new URL(src, location.href);
      // A provider's frame is https (a javascript: or data: address naming its host is not one).
      if (u.protocol != 'https:') return null;
      host = u.hostname;
    } catch (e) {
      return null;
    }
    var s = C.s.filter(function (s) {
      return s[4].indexOf(host) > -1;
    })[0];
    return s ? s[0] : null;
  }

  function choose(c, source) {
    var now = new Date();
    var expires = new Date(+now + 183 * 864e5);
    state = { id: state && state.id, c: c };
    // Kept at once, so that a refusal holds even if the proof cannot be sent; the server signs it when it answers.
    put(CONSENT, ['1', state.id || '', C.h, now.getTime().toString(36), ids.filter(function (i) { return c[i]; }).join('+'), ''].join('.'), expires);
    if (C.a && !c.audience) put(VID, '', new Date(0));
    fetch(api + '/consent', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'omit',
      keepalive: true,
      body: JSON.stringify({ choices: c, consentId: state.id || undefined, version: C.v, textHash: C.th, lang: C.l, source: source }),
    })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (j) {
        if (j) {
          state.id = j.consentId;
          put(CONSENT, j.cookie, expires);
        }
      })
      .catch(function () {});
    if (bannerEl) {
      var had = bannerEl.contains(d.activeElement);
      bannerEl.remove();
      bannerEl = null;
      room();
      window.removeEventListener('resize', room);
      if (had) (d.querySelector('main') || d.body).focus();
    }
    say(X.ok);
    apply();
  }
  // One polite status region, so that a screen reader hears that the choice is saved.
  var live;
  function say(text) {
    if (!live) d.body.appendChild((live = el('div', { role: 'status', class: 'bcm-live' })));
    live.textContent = '';
    setTimeout(function () {
      live.textContent = text;
    }, 50);
  }

  // An embed: its placeholder (what, who, a button, a link to the provider's site) until allowed, then its frame.
  function render(box) {
    var id = box.getAttribute('data-bastide-embed');
    var s = service(id);
    var src = box.getAttribute('data-src');
    if (!s || owner(src) != id) return;
    var on = allowed(id) ? '1' : '0';
    if (box.getAttribute('data-on') == on) return;
    box.setAttribute('data-on', on);
    var o = { name: s[1], provider: s[3], title: box.getAttribute('data-title') || s[1] };
    var url = box.getAttribute('data-url');
    box.textContent = '';
    box.classList.add('bcm-embed');
    if (on == '1') {
      box.appendChild(el('iframe', { src: src, title: fill(X.pt, o), allowfullscreen: '', referrerpolicy: 'strict-origin-when-cross-origin' }));
    } else {
      box.appendChild(el('p', { class: 'bcm-embed-title', text: fill(X.pt, o) }));
      box.appendChild(el('p', { text: fill(X.ph, o) }));
      box.appendChild(el('form', {}, [el('button', { class: 'bcm-button', text: fill(X.pa, o) })]));
    }
    if (url) box.appendChild(el('p', {}, [el('a', { href: url, text: fill(X.po, o) })]));
  }

  // A frame of a declared provider already in the page: replaced by its placeholder before it loads, as far as a script can.
  function guard(f) {
    var id = owner(f.src);
    // A frame already replaced through an earlier record of the same batch (its parent's) is detached: without this
    // check, insertBefore on null threw on every page with a raw frame and dropped the batch's remaining records.
    if (!id || allowed(id) || !f.parentNode) return;
    var box = el('div', { 'data-bastide-embed': id, 'data-src': f.src, 'data-title': f.title || '', 'data-url': f.src });
    f.parentNode.insertBefore(box, f);
    f.remove();
    render(box);
  }
  function scan(root) {
    if (root.tagName == 'IFRAME') guard(root);
    else if (root.querySelectorAll) root.querySelectorAll('iframe').forEach(guard);
  }

  function apply() {
    d.querySelectorAll('[data-bastide-embed]').forEach(render);
    // A frame of the page's own HTML, allowed when the page loaded and withdrawn since, goes too.
    scan(d.documentElement);
  }

  function buttons(list) {
    return el(
      'div',
      { class: 'bcm-actions' },
      list.map(function (b) {
        var e = el('button', { type: b[2] ? 'submit' : 'button', class: 'bcm-button', text: b[0] });
        if (b[2]) e.value = b[2];
        else e.onclick = b[1];
        return e;
      }),
    );
  }

  function showBanner() {
    bannerEl = el('div', { class: 'bcm-banner', role: 'region', 'aria-labelledby': 'bcm-title', lang: C.l }, [
      el('p', { id: 'bcm-title', class: 'bcm-title', text: X.bt }),
      el('p', { text: X.bx + (C.a ? ' ' + X.ba : '') }),
      buttons([
        [X.acc, function () { choose(all(true), 'banner'); }],
        [X.ref, function () { choose(all(false), 'banner'); }],
        [X.cus, function (e) { open(e.target); }],
      ]),
      buttons([[X.cl, function () { choose(all(false), 'banner'); }]]),
    ]);
    bannerEl.lastChild.classList.add('bcm-close');
    // First in the page, after a skip link if the page starts with one (it stays the first Tab stop).
    var first = d.body.firstElementChild;
    d.body.insertBefore(bannerEl, first && first.matches('a[href^="#"]') ? first.nextSibling : d.body.firstChild);
    // Shown at the bottom of the window (the notices' « en bas de page »): the page keeps room for it, and focus scrolls above it.
    room();
    window.addEventListener('resize', room);
  }
  function room() {
    var h = bannerEl ? bannerEl.offsetHeight + 'px' : '';
    d.body.style.paddingBottom = h;
    d.documentElement.style.scrollPaddingBottom = h;
  }

  function box(id, label) {
    return el('p', { class: 'bcm-choice' }, [el('input', { type: 'checkbox', id: 'bcm-' + id, name: id }), el('label', { for: 'bcm-' + id, text: label })]);
  }
  function buildDialog() {
    var form = el('form', { method: 'dialog' }, [el('h2', { id: 'bcm-panel-title', text: X.pn }), el('p', { text: X.pi })]);
    C.c.forEach(function (cat) {
      var set = el('fieldset', {}, [el('legend', { text: cat[1] }), box('cat-' + cat[0], X.ac + ' : ' + cat[1])]);
      cat[2].forEach(function (id) {
        var s = service(id);
        set.appendChild(box(id, s[1] + ' (' + s[3] + ')'));
      });
      form.appendChild(set);
    });
    if (C.a) form.appendChild(el('fieldset', {}, [el('legend', { text: X.al }), box('audience', X.au)]));
    form.appendChild(buttons([[X.acc, 0, 'accept'], [X.ref, 0, 'refuse'], [X.sv, 0, 'save']]));
    var close = buttons([['×', 0, 'close']]);
    close.classList.add('bcm-x');
    close.firstChild.setAttribute('aria-label', X.cp);
    form.appendChild(close);
    form.onchange = function (e) {
      var t = e.target;
      C.c.forEach(function (cat) {
        var boxes = cat[2].map(function (id) {
          return form.elements.namedItem(id);
        });
        if (t.name == 'cat-' + cat[0])
          boxes.forEach(function (b) {
            b.checked = t.checked;
          });
        sync(form, cat, boxes);
      });
    };
    dialog = el('dialog', { class: 'bcm-panel', 'aria-labelledby': 'bcm-panel-title', lang: C.l }, [form]);
    // showModal makes the page inert but lets Tab leave the last control for the browser's own interface (the
    // document's body in a headless browser): Tab and Shift+Tab wrap round inside the panel instead.
    dialog.addEventListener('keydown', function (e) {
      if (e.key != 'Tab') return;
      var list = dialog.querySelectorAll('input, button');
      var first = list[0];
      var last = list[list.length - 1];
      if (e.shiftKey ? d.activeElement == first || !dialog.contains(d.activeElement) : d.activeElement == last) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    });
    dialog.addEventListener('close', function () {
      var v = dialog.returnValue;
      dialog.returnValue = '';
      if (v == 'accept') choose(all(true), 'panel');
      if (v == 'refuse') choose(all(false), 'panel');
      if (v == 'save') {
        var c = {};
        ids.forEach(function (i) {
          c[i] = form.elements.namedItem(i).checked;
        });
        choose(c, 'panel');
      }
      // Back where the panel was opened; if that was the banner, now gone, to the page's main content.
      var back = opener && opener.isConnected ? opener : d.querySelector('main') || d.body;
      if (back == d.querySelector('main') && !back.hasAttribute('tabindex')) back.setAttribute('tabindex', '-1');
      back.focus();
    });
    d.body.appendChild(dialog);
  }
  function sync(form, cat, boxes) {
    var on = boxes.filter(function (b) {
      return b.checked;
    }).length;
    var c = form.elements.namedItem('cat-' + cat[0]);
    c.checked = on == boxes.length;
    c.indeterminate = on > 0 && on < boxes.length;
  }
  // The panel: a modal dialog (focus inside, trapped while open, Escape closes without choosing, focus given back).
  function open(from) {
    opener = from || d.activeElement;
    if (!dialog) buildDialog();
    var form = dialog.firstChild;
    var c = current();
    ids.forEach(function (i) {
      form.elements.namedItem(i).checked = c[i];
    });
    C.c.forEach(function (cat) {
      sync(
        form,
        cat,
        cat[2].map(function (id) {
          return form.elements.namedItem(id);
        }),
      );
    });
    dialog.showModal();
  }

  // Audience: one beacon per page, never with Global Privacy Control or Do Not Track, never after an objection.
  function hit() {
    var n = navigator;
    if (!C.a || !allowed('audience') || n.globalPrivacyControl === true || n.doNotTrack == '1' || window.doNotTrack == '1' || !n.sendBeacon) return;
    var vid = get(VID);
    var first = !vid;
    if (first) {
      var bytes = crypto.getRandomValues(new Uint8Array(16));
      vid = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      var end = new Date();
      var day = end.getDate();
      end.setMonth(end.getMonth() + 13);
      // 31 January + 13 months is the end of February, not 3 March: never a day past 13 months.
      if (end.getDate() != day) end.setDate(0);
      // Set once: later visits never push its end further.
      put(VID, vid, end);
    }
    var body = { url: location.href, referrer: d.referrer, vid: vid, first: first };
    var m = d.querySelector('meta[name="bastide-audience"]');
    if (m) {
      var parts = m.content.split(' ');
      body.event = parts[0];
      body.form = parts[1];
    }
    n.sendBeacon(api + '/hit', new Blob([JSON.stringify(body)], { type: 'text/plain' }));
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (m) {
      m.addedNodes.forEach(scan);
    });
  }).observe(d.documentElement, { childList: true, subtree: true });
  scan(d.documentElement);

  function start() {
    // An objection made elsewhere (the cookies page) also removes the identifier this browser kept.
    if (C.a && state && !state.c.audience && get(VID)) put(VID, '', new Date(0));
    if (!d.querySelector('link[href*="/consent."]')) d.head.appendChild(el('link', { rel: 'stylesheet', href: base + C.css }));
    apply();
    if (!state && C.s.length) showBanner();
    d.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('[data-bastide-consent]');
      if (a) {
        e.preventDefault();
        open(a);
      }
    });
    // A placeholder the server rendered allows its provider by a form (no JavaScript needed); here, without reloading.
    d.addEventListener('submit', function (e) {
      var box = e.target.closest('[data-bastide-embed]');
      if (!box) return;
      e.preventDefault();
      var c = current();
      c[box.getAttribute('data-bastide-embed')] = true;
      choose(c, 'embed');
      var f = box.querySelector('iframe');
      if (f) f.focus();
    });
    hit();
  }
  window.bastideConsent = { open: open, choices: current };
  if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', start);
  else start();
})(CONFIG);
