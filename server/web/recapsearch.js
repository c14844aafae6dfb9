/*
 * recapsearch.js: turns an <input> into a search box over recapsearch-server.
 *
 *   <input id="q" type="search" placeholder="Search">
 *   <script src="https://search.example.com/recapsearch.js"></script>
 *   <script>
 *     RecapSearch.attach(document.getElementById("q"), {
 *       endpoint: "https://search.example.com",  // default: this script's origin
 *       baseUrl: "https://example.com"            // prefix of result links
 *     });
 *   </script>
 *
 * As the visitor types (debounced), it shows completions of the last word
 * and matching page titles (/suggest), then the results (/search): titles,
 * highlighted snippets with deep links to the section, facet filters and
 * "did you mean".  Up/Down move through the panel, Enter opens, Escape
 * closes.  No dependencies; styles are scoped under .rs-panel and can be
 * overridden by the site.
 */
(function (global) {
  "use strict";

  var scriptOrigin = (function () {
    var s = document.currentScript;
    try {
      return s && s.src ? new URL(s.src).origin : "";
    } catch (e) {
      return "";
    }
  })();

  var STYLE = [
    ".rs-panel{box-sizing:border-box;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;background:#fff;border:1px solid #dde1e8;border-radius:12px;box-shadow:0 12px 32px rgba(20,30,60,.12);padding:8px 0;margin-top:6px;max-height:75vh;overflow:auto;text-align:left}",
    ".rs-panel[hidden]{display:none}",
    ".rs-panel *{box-sizing:border-box}",
    ".rs-inline{box-shadow:none;border:0;max-height:none;padding:0;background:transparent}",
    ".rs-sugg{display:flex;flex-wrap:wrap;gap:6px;padding:6px 16px 10px}",
    ".rs-chip{border:1px solid #d5dae3;background:#f6f7fa;border-radius:999px;padding:3px 12px;font:inherit;font-size:13px;color:#2b3445;cursor:pointer}",
    ".rs-chip:hover,.rs-chip.rs-active{background:#e8eefc;border-color:#9db4f0}",
    ".rs-chip b{font-weight:600}",
    ".rs-chip .rs-n{color:#6b7485;margin-left:4px}",
    ".rs-chip.rs-on{background:#2f5bd3;border-color:#2f5bd3;color:#fff}",
    ".rs-chip.rs-on .rs-n{color:#dfe6fb}",
    ".rs-meta{display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding:4px 16px 8px;color:#5d6677;font-size:13px}",
    ".rs-meta .rs-label{margin-right:4px}",
    ".rs-dym{padding:4px 16px 8px;font-size:14px}",
    ".rs-dym a{color:#2f5bd3;font-weight:600;cursor:pointer}",
    ".rs-list{list-style:none;margin:0;padding:0}",
    ".rs-hit{padding:10px 16px;border-top:1px solid #f0f2f5;cursor:pointer}",
    ".rs-hit:first-child{border-top:0}",
    ".rs-hit:hover,.rs-hit.rs-active{background:#f3f6fd}",
    ".rs-title{font-size:16px;font-weight:600;color:#1a3fa8;text-decoration:none}",
    ".rs-title:hover{text-decoration:underline}",
    ".rs-crumb{font-size:12.5px;color:#5d6677;margin:1px 0 4px;display:flex;gap:8px;flex-wrap:wrap}",
    ".rs-badge{background:#eef1f6;border-radius:4px;padding:0 6px;color:#46506a}",
    ".rs-snip{margin:2px 0 0;color:#333b4a;font-size:14px}",
    ".rs-snip mark{background:#ffe58a;color:inherit;border-radius:2px;padding:0 1px}",
    ".rs-deep{font-size:13px;color:#2f5bd3;text-decoration:none;margin-right:6px}",
    ".rs-deep:hover{text-decoration:underline}",
    ".rs-titles .rs-hit{padding:6px 16px}",
    ".rs-titles .rs-title{font-weight:500;font-size:14.5px}",
    ".rs-head{padding:8px 16px 2px;font-size:12px;letter-spacing:.04em;text-transform:uppercase;color:#7a8394}",
    ".rs-more{display:block;margin:10px auto 4px;font:inherit;font-size:14px;padding:6px 18px;border-radius:8px;border:1px solid #cfd6e4;background:#fff;cursor:pointer}",
    ".rs-empty,.rs-note{padding:10px 16px;color:#5d6677;font-size:14px}"
  ].join("\n");

  function injectStyle() {
    if (document.getElementById("rs-style")) return;
    var st = document.createElement("style");
    st.id = "rs-style";
    st.textContent = STYLE;
    document.head.appendChild(st);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function debounce(fn, ms) {
    var t = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function attach(input, options) {
    var o = options || {};
    var endpoint = (o.endpoint != null ? o.endpoint : scriptOrigin).replace(/\/$/, "");
    var baseUrl = (o.baseUrl || "").replace(/\/$/, "");
    var limit = o.limit || 10;
    var state = { q: "", filters: {}, offset: 0, seq: 0, items: [], active: -1, hits: [] };
    var panel = o.panel || el("div", "rs-panel");
    var inline = !!o.panel;
    var ctrl = null;

    injectStyle();
    if (inline) panel.classList.add("rs-panel", "rs-inline");
    else input.insertAdjacentElement("afterend", panel);
    panel.hidden = !inline;
    panel.setAttribute("role", "listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-autocomplete", "list");

    function link(url) {
      return /^https?:\/\//.test(url) ? url : baseUrl + url;
    }

    function get(path, params, signal) {
      var qs = Object.keys(params).filter(function (k) {
        return params[k] !== undefined && params[k] !== "";
      }).map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
      }).join("&");
      return fetch(endpoint + path + "?" + qs, { signal: signal }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
          return body;
        });
      });
    }

    function setActive(i) {
      state.items.forEach(function (it, j) { it.classList.toggle("rs-active", j === i); });
      state.active = i;
      if (i >= 0) {
        state.items[i].scrollIntoView({ block: "nearest" });
        input.setAttribute("aria-activedescendant", state.items[i].id);
      }
    }

    function selectable(node, action) {
      node.id = "rs-item-" + state.items.length;
      node.setAttribute("role", "option");
      node.rsAction = action;
      node.addEventListener("mousedown", function (e) {
        if (e.target.tagName === "A") return;
        e.preventDefault();
        action();
      });
      state.items.push(node);
    }

    function go(url) {
      global.location.href = link(url);
    }

    function renderSuggestions(box, sg) {
      if (sg.completions && sg.completions.length) {
        var chips = el("div", "rs-sugg");
        sg.completions.slice(0, 6).forEach(function (c) {
          var b = el("button", "rs-chip");
          b.type = "button";
          var typed = state.q.replace(/\S*$/, "");
          b.appendChild(document.createTextNode(typed));
          b.appendChild(el("b", null, c.word));
          chips.appendChild(b);
          selectable(b, function () { input.value = c.text + " "; run(true); input.focus(); });
        });
        box.appendChild(chips);
      }
      if (sg.titles && sg.titles.length) {
        box.appendChild(el("div", "rs-head", "Pages"));
        var ul = el("ul", "rs-list rs-titles");
        sg.titles.forEach(function (t) {
          var li = el("li", "rs-hit");
          var a = el("a", "rs-title", t.title);
          a.href = link(t.url);
          li.appendChild(a);
          ul.appendChild(li);
          selectable(li, function () { go(t.url); });
        });
        box.appendChild(ul);
      }
    }

    /* Facet chips: the server's counts when it sends them, else the
     * sections of the hits shown (still applied as server-side filters). */
    function facetValues(res) {
      var f = res.facets && res.facets.section;
      if (f && f.length) return f;
      var counts = {};
      (res.hits || []).forEach(function (h) {
        if (h.section) counts[h.section] = (counts[h.section] || 0) + 1;
      });
      return Object.keys(counts).sort(function (a, b) {
        return counts[b] - counts[a];
      }).map(function (k) { return { value: k, count: null }; });
    }

    function renderFacets(box, res) {
      var values = facetValues(res);
      var on = state.filters.section;
      if (!values.length && !on) return;
      var meta = el("div", "rs-meta rs-facets");
      meta.appendChild(el("span", "rs-label", "Section:"));
      if (on && !values.some(function (v) { return v.value === on; }))
        values.unshift({ value: on, count: null });
      values.slice(0, 8).forEach(function (v) {
        var b = el("button", "rs-chip" + (v.value === on ? " rs-on" : ""), v.value);
        b.type = "button";
        b.dataset.facet = v.value;
        if (v.count != null) b.appendChild(el("span", "rs-n", String(v.count)));
        if (v.value === on) b.appendChild(el("span", "rs-n", "\u00d7"));
        b.addEventListener("mousedown", function (e) {
          e.preventDefault();
          state.filters.section = v.value === on ? undefined : v.value;
          search(false);
        });
        meta.appendChild(b);
      });
      box.appendChild(meta);
    }

    function renderHit(ul, h) {
      var li = el("li", "rs-hit");
      var a = el("a", "rs-title", h.title || h.url);
      a.href = link(h.url);
      li.appendChild(a);
      var crumb = el("div", "rs-crumb");
      crumb.appendChild(el("span", null, h.url));
      if (h.section) crumb.appendChild(el("span", "rs-badge", h.section));
      if (h.date) crumb.appendChild(el("span", null, h.date.slice(0, 10)));
      li.appendChild(crumb);
      (h.snippets || []).forEach(function (s) {
        var p = el("p", "rs-snip");
        if (s.heading && s.url) {
          var d = el("a", "rs-deep", "\u00a7 " + s.heading);
          d.href = link(s.url);
          p.appendChild(d);
        }
        var span = el("span");
        /* The server escapes the text and adds only <mark>. */
        span.innerHTML = s.html;
        p.appendChild(span);
        li.appendChild(p);
      });
      ul.appendChild(li);
      var target = h.snippets && h.snippets[0] && h.snippets[0].url || h.url;
      selectable(li, function () { go(target); });
    }

    function renderResults(box, res, append) {
      var ul = append && box.querySelector(".rs-results");
      if (!append) {
        if (res.suggestion && res.corrected) {
          var fixed = el("div", "rs-dym", "Showing results for ");
          fixed.appendChild(el("b", null, res.suggestion));
          box.appendChild(fixed);
        } else if (res.suggestion) {
          var dym = el("div", "rs-dym", "Did you mean ");
          var a = el("a", null, res.suggestion);
          a.addEventListener("mousedown", function (e) {
            e.preventDefault();
            input.value = res.suggestion;
            run(true);
          });
          dym.appendChild(a);
          dym.appendChild(document.createTextNode("?"));
          box.appendChild(dym);
        }
        var n = res.total;
        box.appendChild(el("div", "rs-meta rs-count",
          (n === 0 ? "No results" : (res.total_exact ? "" : "About ") + n +
            " result" + (n === 1 ? "" : "s")) +
          (res.partial ? " (search stopped early; results may be incomplete)" : "")));
        renderFacets(box, res);
        box.appendChild(el("div", "rs-head", "Results"));
        ul = el("ul", "rs-list rs-results");
        box.appendChild(ul);
      }
      res.hits.forEach(function (h) { renderHit(ul, h); });
      var old = box.querySelector(".rs-more");
      if (old) old.remove();
      if (res.next_offset != null) {
        var more = el("button", "rs-more", "More results");
        more.type = "button";
        more.addEventListener("mousedown", function (e) {
          e.preventDefault();
          state.offset = res.next_offset;
          search(true);
        });
        box.appendChild(more);
      }
      if (!res.hits.length && !append)
        box.appendChild(el("div", "rs-empty", "Try fewer or other words."));
    }

    function params(extra) {
      var p = { q: state.q, limit: limit, lang: o.lang, facets: o.facets || "section" };
      Object.keys(state.filters).forEach(function (k) { p[k] = state.filters[k]; });
      Object.keys(extra || {}).forEach(function (k) { p[k] = extra[k]; });
      return p;
    }

    function search(append) {
      var seq = ++state.seq;
      if (ctrl) ctrl.abort();
      ctrl = typeof AbortController === "function" ? new AbortController() : null;
      var signal = ctrl ? ctrl.signal : undefined;
      if (!append) state.offset = 0;
      var wantSuggest = !append && o.suggest !== false && /\S$/.test(state.q);
      Promise.all([
        wantSuggest ? get("/suggest", { q: state.q, lang: o.lang }, signal).catch(function () { return null; }) : null,
        get("/search", params({ offset: state.offset || undefined }), signal)
      ]).then(function (r) {
        if (seq !== state.seq) return;
        if (!append) {
          panel.textContent = "";
          state.items = [];
          state.active = -1;
          var box = el("div", "rs-body");
          if (r[0]) {
            /* Page titles already among the results add nothing. */
            var shown = {};
            r[1].hits.forEach(function (h) { shown[h.url] = true; });
            r[0].titles = (r[0].titles || []).filter(function (t) { return !shown[t.url]; });
            var typed = state.q.trim().toLowerCase();
            r[0].completions = (r[0].completions || []).filter(function (c) {
              return c.text.toLowerCase() !== typed;
            });
            renderSuggestions(box, r[0]);
          }
          renderResults(box, r[1], false);
          panel.appendChild(box);
        } else {
          renderResults(panel.querySelector(".rs-body"), r[1], true);
        }
        panel.hidden = false;
        if (o.onResults) o.onResults(r[1]);
      }).catch(function (err) {
        if (seq !== state.seq || (err && err.name === "AbortError")) return;
        panel.textContent = "";
        panel.appendChild(el("div", "rs-note", "Search failed: " + err.message));
        panel.hidden = false;
      });
    }

    function run(now) {
      state.q = input.value;
      if (!state.q.trim()) {
        state.seq++;
        panel.textContent = "";
        panel.hidden = !inline;
        return;
      }
      if (now) search(false); else debounced();
    }

    var debounced = debounce(function () { search(false); }, o.delay || 120);

    input.addEventListener("input", function () { run(false); });
    input.addEventListener("focus", function () {
      if (panel.childNodes.length) panel.hidden = false;
    });
    input.addEventListener("blur", function () {
      if (!inline) setTimeout(function () { panel.hidden = true; }, 150);
    });
    input.addEventListener("keydown", function (e) {
      var n = state.items.length;
      if (e.key === "ArrowDown" && n) {
        e.preventDefault();
        setActive((state.active + 1) % n);
      } else if (e.key === "ArrowUp" && n) {
        e.preventDefault();
        setActive(state.active <= 0 ? n - 1 : state.active - 1);
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (state.active >= 0) state.items[state.active].rsAction();
        else run(true);
      } else if (e.key === "Escape") {
        if (!inline) panel.hidden = true;
        setActive(-1);
      }
    });
    if (input.value) run(true);
    return { search: function (q) { input.value = q; run(true); }, panel: panel };
  }

  global.RecapSearch = { attach: attach };
})(window);
