/* Dateline: small enhancements over plain HTML. Without this file every page still works.
   - timeline filter: show only the events of one outlet or one story;
   - search page: start Pagefind's default UI when its script has loaded (opened as a
     file, explain that search needs the site served over HTTP);
   - a link into a closed disclosure opens it. */
(function () {
  "use strict";

  function matches(card, outlet, story) {
    var outlets = (card.getAttribute("data-outlets") || "").split(" ");
    return (!outlet || outlets.indexOf(outlet) !== -1) &&
      (!story || (card.getAttribute("data-story") || "").split(" ").indexOf(story) !== -1);
  }

  function hideEmpty(selector, child) {
    document.querySelectorAll(selector).forEach(function (group) {
      group.hidden = !group.querySelector(child + ":not([hidden])");
    });
  }

  /* "Jump to latest" names one event; when the filter hides it, the link would lead
     nowhere, so it goes until the event shows again. */
  function hideJumpToHidden() {
    var jump = document.querySelector(".jump a");
    var id = jump ? decodeURIComponent(jump.hash.slice(1)) : "";
    var target = id ? document.getElementById(id) : null;
    if (target) { jump.parentNode.hidden = !!target.closest("[hidden]"); }
  }

  function applyFilter(box) {
    var outletSelect = box.querySelector('[data-filter="outlets"]');
    var storySelect = box.querySelector('[data-filter="story"]');
    var outlet = outletSelect ? outletSelect.value : "";
    var story = storySelect ? storySelect.value : "";
    var cards = document.querySelectorAll(".timeline .event");
    var shown = 0;
    cards.forEach(function (card) {
      card.hidden = !matches(card, outlet, story);
      if (!card.hidden) { shown += 1; }
    });
    hideEmpty(".timeline .day", ".event");
    hideEmpty(".timeline .month", ".day");
    hideEmpty(".timeline .year", ".month");
    hideJumpToHidden();
    var status = box.querySelector("[data-filter-status]");
    if (status) {
      status.textContent = (outlet || story)
        ? "Showing " + shown + " of " + cards.length + " events on this page."
        : "";
    }
  }

  function setUpFilter() {
    var box = document.querySelector("[data-filters]");
    if (!box) { return; }
    box.hidden = false;
    box.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { applyFilter(box); });
    });
    applyFilter(box);
    // Back to this page, the browser puts the chosen outlet and story back in the
    // boxes after this script ran: show what the boxes say.
    window.addEventListener("pageshow", function () { applyFilter(box); });
  }

  function setUpSearch() {
    var target = document.querySelector("[data-search]");
    if (!target) { return; }
    if (window.location.protocol === "file:") { explainFileSearch(target); return; }
    if (typeof window.PagefindUI !== "function") { return; }
    /* global PagefindUI */
    new window.PagefindUI({
      element: "[data-search]",
      bundlePath: target.getAttribute("data-bundle"),
      showImages: false,
      showSubResults: true,
      autofocus: true
    });
    labelSearchBox(target, 20);
  }

  /* Opened as a file, the browser refuses the index Pagefind loads: say so and how to
     serve the site, instead of a search box that never answers. */
  function explainFileSearch(target) {
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = "Search works when the site is served over HTTP, not opened " +
      "as a file. Run \u201cdateline serve\u201d in the folder that holds content/ " +
      "and site.toml, or \u201cpython3 -m http.server\u201d in this built folder, " +
      "and open this page from the address it prints.";
    target.appendChild(note);
  }

  /* Pagefind's box has only a placeholder; name it by the visible label above it. */
  function labelSearchBox(target, tries) {
    var input = target.querySelector("input");
    if (input) {
      input.setAttribute("aria-labelledby", "search-label");
    } else if (tries > 0) {
      window.setTimeout(function () { labelSearchBox(target, tries - 1); }, 50);
    }
  }

  /* A link to something in a closed disclosure ("5 quotations worded differently")
     opens it, on the page and when the page is opened at that address: otherwise it
     scrolls to a summary line and shows nothing more. */
  function revealTarget() { reveal(window.location.hash); }

  /* A second click on the same link changes no address, so no hashchange: clicks on
     links within the page open their target too (after a reader closed it). */
  function revealClicked(event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (link) { reveal(link.getAttribute("href")); }
  }

  function reveal(hash) {
    var id;
    try { id = decodeURIComponent(hash.slice(1)); } catch (e) { return; }
    var target = id ? document.getElementById(id) : null;
    var details = target ? target.closest("details") : null;
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }

  function start() {
    setUpFilter();
    setUpSearch();
    window.addEventListener("hashchange", revealTarget);
    document.addEventListener("click", revealClicked);
    revealTarget();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
