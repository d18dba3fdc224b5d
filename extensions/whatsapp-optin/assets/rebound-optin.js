/* Rebound WhatsApp opt-in: submits the storefront forms to the app proxy and keeps the
   back-in-stock block in step with the selected variant. Plain JS, no dependencies. */
(function () {
  'use strict';
  if (window.__reboundOptin) return;
  window.__reboundOptin = true;

  var ENDPOINT = '/apps/rebound/optin';

  function messagesOf(form) {
    var node = form.querySelector('[data-rebound-messages]');
    try { return node ? JSON.parse(node.textContent) : {}; } catch { return {}; }
  }

  // Short, stable fingerprint of the consent text, so the ledger's version changes with the words.
  function textVersion(text) {
    var hash = 2166136261;
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 16777619) >>> 0;
    }
    return 't' + hash.toString(16);
  }

  function say(form, text, isError) {
    var status = form.querySelector('.rebound-optin__status');
    var phone = form.querySelector('[name="phone"]');
    status.textContent = text;
    status.classList.toggle('rebound-optin__status--error', !!isError);
    if (phone) phone.setAttribute('aria-invalid', isError ? 'true' : 'false');
  }

  function cartToken(form) {
    var token = form.getAttribute('data-cart-token') || '';
    if (token) return Promise.resolve(token.split('?')[0]);
    if (form.getAttribute('data-source') === 'product_block') return Promise.resolve('');
    return fetch('/cart.js', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (cart) { return String((cart && cart.token) || '').split('?')[0]; })
      .catch(function () { return ''; });
  }

  function submit(form, event) {
    event.preventDefault();
    var messages = messagesOf(form);
    var phone = form.querySelector('[name="phone"]');
    var consent = form.querySelector('[name="consent"]');
    var button = form.querySelector('button[type="submit"]');
    if (!phone.value.trim()) { say(form, messages.phone_required, true); phone.focus(); return; }
    if (!consent.checked) { say(form, messages.consent_required, true); consent.focus(); return; }
    var text = form.querySelector('[data-consent-text]').textContent.replace(/\s+/g, ' ').trim();
    // The version the theme rendered for this text, so both ways of submitting record the same one.
    var rendered = form.querySelector('[name="textVersion"]');
    var version = rendered && rendered.value ? rendered.value : textVersion(text);
    button.disabled = true;
    say(form, messages.submitting, false);
    cartToken(form).then(function (token) {
      var body = {
        phone: phone.value.trim(),
        country: form.querySelector('[name="country"]').value || undefined,
        source: form.getAttribute('data-source'),
        consentText: text,
        textVersion: version,
        locale: (form.getAttribute('data-locale') || 'en'),
        website: form.querySelector('[name="website"]').value
      };
      var variant = form.getAttribute('data-variant-id');
      var product = form.getAttribute('data-product-id');
      if (variant) body.variantId = variant;
      if (product) body.productId = product;
      if (token) body.cartToken = token;
      return fetch(ENDPOINT, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body)
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (reply) {
        // The app answers every accepted sign-up alike (new number or not), so one message fits all.
        if (response.ok && reply.ok) {
          say(form, messages.accepted, false);
          form.classList.add('rebound-optin__form--done');
          return;
        }
        var code = reply.code || (response.status === 429 ? 'rate_limited' : 'generic');
        say(form, messages[code] || messages.generic, true);
        if (code === 'invalid_phone') phone.focus();
      });
    }).catch(function () {
      say(form, messages.network, true);
    }).then(function () {
      button.disabled = false;
    });
  }

  /* Back-in-stock block: shown only while the selected variant is sold out. Themes announce
     variant changes differently: a change of the product form's [name=id], a custom event, or a
     ?variant= URL update through history.replaceState. All three are followed. */
  function currentVariantId() {
    var fromUrl = new URLSearchParams(window.location.search).get('variant');
    if (fromUrl) return fromUrl;
    var input = document.querySelector('form[action*="/cart/add"] [name="id"]');
    return input ? input.value : '';
  }

  function syncNotify(explicitId) {
    var blocks = document.querySelectorAll('[data-rebound-notify]');
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var product;
      try { product = JSON.parse(block.querySelector('[data-rebound-product]').textContent); } catch { continue; }
      var id = String(explicitId || currentVariantId() || '');
      var variants = product.variants || [];
      var variant = null;
      for (var j = 0; j < variants.length; j++) if (String(variants[j].id) === id) variant = variants[j];
      if (!variant) continue;
      var form = block.querySelector('[data-rebound-form]');
      if (form.getAttribute('data-variant-id') !== String(variant.id)) {
        form.setAttribute('data-variant-id', String(variant.id));
        form.classList.remove('rebound-optin__form--done');
        say(form, '', false);
      }
      block.hidden = !!variant.available;
    }
  }

  function variantFromEvent(event) {
    var d = event && event.detail;
    if (!d) return '';
    var v = d.variant || d.resource || (d.data && d.data.variant) || null;
    return v && v.id ? String(v.id) : (d.variantId ? String(d.variantId) : '');
  }

  function watchVariants() {
    if (!document.querySelector('[data-rebound-notify]')) return;
    ['replaceState', 'pushState'].forEach(function (name) {
      var original = window.history[name];
      window.history[name] = function () {
        var result = original.apply(this, arguments);
        setTimeout(function () { syncNotify(); }, 0);
        return result;
      };
    });
    window.addEventListener('popstate', function () { syncNotify(); });
    document.addEventListener('change', function (event) {
      var target = event.target;
      if (target && target.name === 'id' && target.closest && target.closest('form[action*="/cart/add"]')) syncNotify(target.value);
    });
    ['variant:change', 'variant:changed', 'variant:update', 'on:variant:change'].forEach(function (name) {
      document.addEventListener(name, function (event) { syncNotify(variantFromEvent(event)); });
    });
    syncNotify();
  }

  /* Cart drawer embed: place one copy of the form in the drawer, again when the theme re-renders it. */
  function placeDrawerForms() {
    var templates = document.querySelectorAll('template[data-rebound-drawer]');
    for (var i = 0; i < templates.length; i++) {
      var selector = templates[i].getAttribute('data-target');
      var target = null;
      try { target = selector && document.querySelector(selector); } catch { target = null; }
      if (target && !target.querySelector('.rebound-cart--drawer')) {
        target.appendChild(templates[i].content.cloneNode(true));
      }
    }
  }

  function init() {
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (form && form.hasAttribute && form.hasAttribute('data-rebound-form')) submit(form, event);
    });
    watchVariants();
    if (document.querySelector('template[data-rebound-drawer]')) {
      placeDrawerForms();
      new window.MutationObserver(placeDrawerForms).observe(document.body, { childList: true, subtree: true });
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
