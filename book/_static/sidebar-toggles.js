/* Phone and tablet navigation for pydata-sphinx-theme 0.17 under sphinx-book-theme.
 *
 * pydata-sphinx-theme 0.17 puts a second `.primary-toggle` (and `.secondary-toggle`) button
 * on the page, in its own navbar, before the one sphinx-book-theme shows in the article
 * header; its script binds only the first match of each selector
 * (`document.querySelector`), so the visible buttons did nothing but show a tooltip
 * (pydata-sphinx-theme issue 2451, sphinx-book-theme issue 988). This forwards a click on
 * any other toggle to the first one, which opens the sidebar dialog as the theme intends.
 * If a future theme binds every toggle, the `open` check keeps a click from opening twice.
 * Loaded by _config.yml (html_js_files); tests/test_book_browser.py opens both sidebars.
 */
(function () {
  "use strict";

  function forwardClicks() {
    [
      [".primary-toggle", "pst-primary-sidebar-modal"],
      [".secondary-toggle", "pst-secondary-sidebar-modal"],
    ].forEach(function ([selector, dialogId]) {
      const toggles = Array.from(document.querySelectorAll(selector));
      const bound = toggles[0];
      toggles.slice(1).forEach(function (toggle) {
        toggle.addEventListener("click", function (event) {
          const dialog = document.getElementById(dialogId);
          event.preventDefault();
          if (dialog && !dialog.open) {
            bound.click();
          }
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", forwardClicks);
  } else {
    forwardClicks();
  }
})();
