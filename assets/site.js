// Progressive enhancement only: the site works without it. Without JavaScript a note mark is a plain
// jump to its note, a quote card has its permalink, and the search page says where to browse instead.
"use strict";

(() => {
  // Note previews, as Wikipedia's reference previews: hovering, focusing or tapping a note mark shows
  // its note beside it. The preview stays while the pointer is over the mark or the preview, or while
  // focus is in either (WCAG 1.4.13: hoverable, persistent); Escape dismisses it.
  const MARK = 'sup.note > a[role="doc-noteref"]';
  const OPEN_DELAY = 150;
  const CLOSE_DELAY = 300;
  let preview = null;
  let current = null;
  let openedAt = 0;
  let openTimer = 0;
  let closeTimer = 0;
  let pointer = "mouse";
  let returning = null; // the mark focus is being handed back to, which should not reopen

  function markOf(target) {
    return target instanceof Element ? target.closest(MARK) : null;
  }

  function ensurePreview() {
    if (preview) return preview;
    preview = document.createElement("span");
    preview.className = "note-preview";
    preview.id = "note-preview";
    preview.setAttribute("role", "group");
    preview.hidden = true;
    preview.addEventListener("pointerenter", () => clearTimeout(closeTimer));
    preview.addEventListener("pointerleave", (event) => {
      if (event.pointerType === "mouse") scheduleClose();
    });
    return preview;
  }

  function fill(mark, target) {
    // The mark's article (outlet, headline, date, the ways to the article) and, when the mark cites a
    // passage, that passage: not the other passages the note lists.
    const note = target.closest('li[id^="fn-"]') || target;
    const number = mark.textContent.trim();
    const body = document.createElement("span");
    body.className = "note-preview-body";
    const article = note.querySelector(".note-article") || note;
    for (const node of article.childNodes) body.appendChild(node.cloneNode(true));
    if (target !== note) {
      const passage = target.querySelector(".locator");
      if (passage) body.appendChild(passage.cloneNode(true));
    }
    for (const element of body.querySelectorAll('.backlinks, [role="doc-backlink"]')) element.remove();
    for (const element of body.querySelectorAll("[id]")) element.removeAttribute("id");
    // The preview describes the mark; its links are for the pointer. The keyboard's way on is the
    // mark itself (Enter goes to the note, which has the same links): Tab goes on through the page.
    for (const link of body.querySelectorAll("a")) link.tabIndex = -1;
    const heading = document.createElement("span");
    heading.className = "note-preview-heading";
    heading.textContent = `Note ${number}`;
    const jump = document.createElement("a");
    jump.className = "note-preview-jump";
    jump.href = `#${target.id}`;
    jump.tabIndex = -1;
    jump.textContent = `Go to note ${number}`;
    jump.addEventListener("click", () => close(false));
    preview.replaceChildren(heading, body, jump);
    preview.setAttribute("aria-label", `Note ${number}`);
  }

  function place() {
    if (!current) return;
    const mark = current.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    const box = preview.getBoundingClientRect();
    const left = Math.max(8, Math.min(mark.left - 16, width - box.width - 8));
    let top = mark.bottom + 6;
    if (top + box.height > height - 8 && mark.top - box.height - 6 >= 8) top = mark.top - box.height - 6;
    preview.style.left = `${Math.round(left)}px`;
    preview.style.top = `${Math.round(top)}px`;
  }

  function open(mark) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (current === mark && !preview.hidden) return;
    const target = document.getElementById(decodeURIComponent(mark.hash.slice(1)));
    if (!target) return;
    close(false);
    ensurePreview();
    fill(mark, target);
    // Inside the mark's <sup>, right after the mark, so that it is read and placed with it.
    mark.parentNode.appendChild(preview);
    preview.hidden = false;
    mark.setAttribute("aria-describedby", preview.id);
    current = mark;
    openedAt = Date.now();
    place();
  }

  function close(returnFocus) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (!current) return;
    const mark = current;
    current = null;
    preview.hidden = true;
    mark.removeAttribute("aria-describedby");
    if (returnFocus) {
      returning = mark;
      mark.focus();
      returning = null;
    }
  }

  function scheduleClose() {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    closeTimer = setTimeout(() => {
      const active = document.activeElement;
      if (current && (active === current || preview.contains(active))) return; // focus keeps it open
      close(false);
    }, CLOSE_DELAY);
  }

  function within(node) {
    return node instanceof Node && ((current && current === node) || (preview && preview.contains(node)));
  }

  document.addEventListener("pointerdown", (event) => {
    pointer = event.pointerType || "mouse";
    if (current && !within(event.target)) close(false);
  }, true);

  document.addEventListener("pointerover", (event) => {
    if (event.pointerType !== "mouse") return;
    const mark = markOf(event.target);
    if (!mark) return;
    clearTimeout(closeTimer);
    if (mark === current) return;
    clearTimeout(openTimer);
    openTimer = setTimeout(() => open(mark), OPEN_DELAY);
  });

  document.addEventListener("pointerout", (event) => {
    if (event.pointerType !== "mouse") return;
    const mark = markOf(event.target);
    if (!mark || within(event.relatedTarget) || event.relatedTarget === mark) return;
    if (mark === current) scheduleClose();
    else clearTimeout(openTimer);
  });

  document.addEventListener("focusin", (event) => {
    const mark = markOf(event.target);
    if (mark && mark !== returning) open(mark);
  });

  document.addEventListener("focusout", (event) => {
    if (!current || within(event.relatedTarget)) return;
    if (event.target === current || (preview && preview.contains(event.target))) {
      // Leave it open while the pointer rests on it; otherwise focus moving away closes it.
      if (!(preview.matches(":hover") || current.matches(":hover"))) close(false);
    }
  });

  document.addEventListener("click", (event) => {
    const mark = markOf(event.target);
    if (!mark) return;
    if (pointer === "touch" || pointer === "pen") {
      // A tap shows the note instead of jumping to it; the preview has a link to the note itself.
      event.preventDefault();
      if (current === mark && Date.now() - openedAt > 400) close(false);
      else open(mark);
    } else {
      close(false);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) {
      const inside = preview.contains(document.activeElement);
      close(inside);
      event.preventDefault();
    }
  });

  window.addEventListener("scroll", place, { passive: true });
  window.addEventListener("resize", place, { passive: true });
})();

(() => {
  // "Cite this" on every quote card: copies a plain-text citation (speaker, words, occasion, date,
  // outlet, headline, page address) that the build wrote into data-citation.
  const status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  let shown = false;

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (error) {
        // Refused (no permission, no focus): fall through to a box the reader can copy from.
      }
    }
    return false;
  }

  function offerText(card, text) {
    let box = card.querySelector("textarea.citation");
    if (!box) {
      box = document.createElement("textarea");
      box.className = "citation";
      box.readOnly = true;
      box.rows = 4;
      box.setAttribute("aria-label", "Citation: copy this text");
      box.value = text;
      card.appendChild(box);
    }
    box.focus();
    box.select();
  }

  // While the site is built for a placeholder address (example.org), the citation gives the address
  // the reader is actually at, not one that leads nowhere; so does the permalink a printed page shows.
  const placeholder = document.body.dataset.placeholderBase;

  function addressed(card) {
    const text = card.dataset.citation;
    const permalink = card.querySelector("a.permalink");
    const at = placeholder ? text.lastIndexOf(placeholder) : -1;
    if (at < 0 || !permalink) return text;
    return text.slice(0, at) + new URL(permalink.getAttribute("href"), window.location.href).href;
  }

  if (placeholder) {
    for (const permalink of document.querySelectorAll("a.permalink[data-address]")) {
      permalink.dataset.address = new URL(permalink.getAttribute("href"), window.location.href).href;
    }
  }

  for (const card of document.querySelectorAll("figure.quote[data-citation]")) {
    const caption = card.querySelector("figcaption");
    if (!caption) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cite-this";
    button.textContent = "Cite this";
    button.addEventListener("click", async () => {
      const text = addressed(card);
      if (await copy(text)) {
        button.textContent = "Copied";
        status.textContent = "Citation copied to the clipboard.";
        setTimeout(() => {
          button.textContent = "Cite this";
          status.textContent = "";
        }, 2500);
      } else {
        status.textContent = "Copy the citation from the text box.";
        offerText(card, text);
      }
    });
    caption.append(" ", button);
    if (!shown) {
      document.body.appendChild(status);
      shown = true;
    }
  }
})();

(() => {
  // Search, in the site's own type and colours, over Pagefind's index through its JavaScript API (both
  // served from the site's pagefind/ folder, loaded only here). The query and the ticked filters live
  // in the address (?q=...&side=Russia&topic=...), so a search can be shared and survives a reload.
  const box = document.getElementById("search");
  if (!box) return;
  const here = (path) => new URL(path, window.location.href).pathname;
  const bundle = here(box.dataset.bundle);
  const sides = JSON.parse(box.dataset.sides || "{}");
  const GROUPS = ["kind", "side", "speaker", "topic"]; // the order the filters are offered in
  const NAMES = { kind: "Kind", side: "Side", speaker: "Speaker", topic: "Topic" };
  const SHOWN = 20; // results drawn at once; "More results" draws the next ones

  const make = (tag, props = {}, ...children) => {
    const element = Object.assign(document.createElement(tag), props);
    element.append(...children);
    return element;
  };

  const form = make("form", { className: "search-form", role: "search" });
  form.setAttribute("aria-label", "Search this site");
  const input = make("input", { type: "search", id: "search-input", name: "q", autocomplete: "off",
                                spellcheck: false });
  input.setAttribute("aria-describedby", "search-help");
  form.append(make("label", { htmlFor: "search-input", className: "search-label" }, "Search for"), input);
  const filters = make("div", { className: "search-filters" });
  filters.setAttribute("aria-label", "Narrow the results");
  filters.setAttribute("role", "group");
  const status = make("p", { className: "search-status", role: "status" });
  const list = make("ol", { className: "search-results" });
  const more = make("button", { type: "button", className: "search-more", hidden: true }, "More results");
  box.append(form, make("div", { className: "search-layout" }, filters,
                        make("div", { className: "search-found" }, status, list, more)));
  form.addEventListener("submit", (event) => event.preventDefault());

  // What the address holds: the query, and the values ticked in each filter group.
  function fromAddress() {
    const params = new URLSearchParams(window.location.search);
    const ticked = {};
    for (const group of GROUPS) {
      const values = params.getAll(group);
      if (values.length) ticked[group] = values;
    }
    return { query: params.get("q") || "", ticked };
  }

  function toAddress(query, ticked) {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const group of GROUPS) for (const value of ticked[group] || []) params.append(group, value);
    const search = params.toString();
    const address = window.location.pathname + (search ? `?${search}` : "");
    if (address !== window.location.pathname + window.location.search) history.replaceState(null, "", address);
  }

  function ticked() {
    const found = {};
    for (const check of filters.querySelectorAll("input[type=checkbox]:checked")) {
      (found[check.name] = found[check.name] || []).push(check.value);
    }
    return found;
  }

  // One fieldset per group; a value with no results for this search is left out (unless ticked).
  function drawFilters(counts, chosen) {
    const groups = [...GROUPS.filter((group) => counts[group]), ...Object.keys(counts).filter((g) => !GROUPS.includes(g))];
    const sets = [];
    for (const group of groups) {
      const values = Object.entries(counts[group] || {})
        .filter(([value, count]) => count > 0 || (chosen[group] || []).includes(value))
        .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
      if (!values.length) continue;
      const set = make("fieldset", { className: "search-filter" }, make("legend", {}, NAMES[group] || group));
      for (const [value, count] of values) {
        const check = make("input", { type: "checkbox", name: group, value,
                                      checked: (chosen[group] || []).includes(value) });
        const label = make("label", { className: "search-option" }, check, " ",
                           group === "side" && sides[value] ? make("span", { className: `side-tag ${sides[value]}` }, value)
                                                            : make("span", {}, value),
                           make("span", { className: "search-count" }, ` (${count})`));
        set.append(label);
      }
      sets.push(set);
    }
    const focused = document.activeElement && filters.contains(document.activeElement)
      ? [document.activeElement.name, document.activeElement.value] : null;
    filters.replaceChildren(...sets);
    if (focused) {
      const again = [...filters.querySelectorAll("input")].find((c) => c.name === focused[0] && c.value === focused[1]);
      if (again) again.focus();
    }
  }

  async function drawResult(result) {
    const data = await result.data();
    const item = make("li", { className: "search-result" });
    const link = make("a", { href: data.url, className: "search-result-link" }, data.meta.title || data.url);
    const heading = make("p", { className: "search-result-title" }, link);
    for (const side of (data.filters && data.filters.side) || []) {
      heading.append(" ", make("span", { className: `side-tag ${sides[side] || "side-other"}` }, side));
    }
    const excerpt = make("p", { className: "search-excerpt" });
    excerpt.innerHTML = data.excerpt; // Pagefind's excerpt of our own pages: their text, with <mark>s
    item.append(heading, excerpt);
    const subs = (data.sub_results || []).filter((sub) => sub.url !== data.url && sub.title).slice(0, 3);
    if (subs.length) {
      const nested = make("ul", { className: "search-sub-results" });
      for (const sub of subs) {
        const subExcerpt = make("span", { className: "search-excerpt" });
        subExcerpt.innerHTML = sub.excerpt;
        nested.append(make("li", {}, make("a", { href: sub.url }, sub.title), ": ", subExcerpt));
      }
      item.append(nested);
    }
    return item;
  }

  let pagefind = null;
  let everything = {};
  let found = [];
  let drawn = 0;
  let generation = 0;

  async function drawMore() {
    const mine = generation;
    const items = await Promise.all(found.slice(drawn, drawn + SHOWN).map(drawResult));
    if (mine !== generation) return;
    list.append(...items);
    drawn += items.length;
    more.hidden = drawn >= found.length;
  }

  async function run() {
    const query = input.value.trim();
    const chosen = ticked();
    toAddress(query, chosen);
    const mine = ++generation;
    const filtering = Object.keys(chosen).length > 0;
    if (!query && !filtering) {
      found = [];
      drawFilters(everything, chosen);
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    const options = { filters: Object.fromEntries(Object.entries(chosen).map(([group, values]) => [group, { any: values }])) };
    const search = await pagefind.debouncedSearch(query || null, options, 200);
    if (search === null || mine !== generation) return; // a later keystroke took over
    const items = await Promise.all(search.results.slice(0, SHOWN).map(drawResult));
    if (mine !== generation) return;
    found = search.results;
    drawn = items.length;
    list.replaceChildren(...items);
    more.hidden = drawn >= found.length;
    drawFilters(query ? search.filters : everything, chosen);
    // Said once the results are shown, so that the count and the list agree.
    const what = query ? ` for “${query}”` : "";
    status.textContent = found.length === 0 ? `No results${what}.`
      : `${found.length} result${found.length === 1 ? "" : "s"}${what}${filtering ? ", filtered" : ""}.`;
  }

  input.addEventListener("input", run);
  filters.addEventListener("change", run);
  more.addEventListener("click", drawMore);

  import(`${bundle}pagefind.js`).then(async (module) => {
    pagefind = module;
    await pagefind.options({ basePath: bundle, baseUrl: here(box.dataset.base) });
    everything = await pagefind.filters(); // loads every filter file before the first search counts them
    const { query, ticked: chosen } = fromAddress();
    input.value = query;
    drawFilters(everything, chosen);
    box.classList.add("ready");
    if (query || Object.keys(chosen).length) await run();
  }).catch(() => {
    status.textContent = "Search could not load. Browse the topics, quotes, people and sources instead.";
  });
})();

(() => {
  // A jump to a place inside closed quotes (a note's way back to its mark, a link to a position's
  // quotes) opens what holds it, so that the reader lands on it, not beside a closed box.
  function reveal() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (!target) return;
    let opened = false;
    for (let box = target.closest("details"); box; box = box.parentElement.closest("details")) {
      if (!box.open) opened = box.open = true;
    }
    if (target.matches(".position")) {
      for (const box of target.querySelectorAll(":scope > details.behind")) opened = box.open = true;
    }
    if (opened) target.scrollIntoView();
  }
  // On a phone the notes start closed, as Wikipedia's references do there: each mark previews its own.
  const notes = document.querySelector("details.notes-list");
  if (notes && window.matchMedia("(max-width: 40rem)").matches) notes.open = false;

  window.addEventListener("hashchange", reveal);
  reveal();

  // A printed page shows the quotes and wordings a reader would otherwise open one by one.
  let closed = [];
  window.addEventListener("beforeprint", () => {
    closed = [...document.querySelectorAll("main details:not([open])")];
    for (const box of closed) box.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const box of closed) box.open = false;
    closed = [];
  });
})();
