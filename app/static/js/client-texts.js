// Translated texts for FAB's bundled scripts (app/client_texts.py), read from this script tag's
// data-texts attribute. Loaded after select2.min.js and ab.js, before the page's ready handlers
// run (they create the Select2 widgets and FAB's alerts).
(function ($) {
  var script = document.currentScript;
  var texts = script && script.getAttribute("data-texts");
  if (!texts) { return; }
  texts = JSON.parse(texts);
  var fab = texts.fab || {};
  var s2 = texts.select2 || {};

  function withNumber(text, n) { return text.replace("%(n)s", String(n)); }

  if ($.fn.select2) {
    var language = {
      errorLoading: function () { return s2.errorLoading; },
      inputTooLong: function (a) { return withNumber(s2.inputTooLong, a.input.length - a.maximum); },
      inputTooShort: function (a) { return withNumber(s2.inputTooShort, a.minimum - a.input.length); },
      loadingMore: function () { return s2.loadingMore; },
      maximumSelected: function (a) { return withNumber(s2.maximumSelected, a.maximum); },
      noResults: function () { return s2.noResults; },
      searching: function () { return s2.searching; },
      removeAllItems: function () { return s2.removeAllItems; }
    };
    $.fn.select2.defaults.set("language", language);
    // ab.js and ab_filters.js pass English placeholders explicitly, overriding any default.
    var original = $.fn.select2;
    $.fn.select2 = function (options) {
      if (options && typeof options === "object") {
        options = $.extend({}, options, {language: language});
        if (typeof options.placeholder === "string" && fab[options.placeholder]) {
          options.placeholder = fab[options.placeholder];
        }
        return original.call(this, options);
      }
      return original.apply(this, arguments);
    };
    $.extend($.fn.select2, original);
  }
  if (typeof window.ab_alert === "function") {
    var alertOriginal = window.ab_alert;
    window.ab_alert = function (text) { return alertOriginal(fab[text] || text); };
  }
})(jQuery);
