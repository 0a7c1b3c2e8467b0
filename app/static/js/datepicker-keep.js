// Esc closes FAB's bootstrap-datepicker without losing what was typed. The picker reads the input
// only on keyup, and on Esc writes back the date it last read: a date pasted, autofilled or typed
// faster than its keyups was cleared. Read the input first; text it cannot parse stays as typed
// (the form's own validation names the problem).
(function ($) {
  var proto = $.fn.datepicker.Constructor.prototype;
  var keydown = proto.keydown;
  proto.keydown = function (e) {
    if (e.keyCode !== 27) {
      return keydown.call(this, e);
    }
    var typed = this.inputField.val();
    this.update();
    var result = keydown.call(this, e);
    if (typed && !this.inputField.val()) {
      this.inputField.val(typed);
    }
    return result;
  };
})(jQuery);
