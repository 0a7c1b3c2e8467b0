// Chinese names for FAB's bundled bootstrap-datepicker, which ships no locale of its own.
// Loaded after the datepicker and before ab.js initialises the pickers on page load.
(function ($) {
  $.fn.datepicker.dates.zh = {
    days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    daysShort: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    daysMin: ["日", "一", "二", "三", "四", "五", "六"],
    months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
    monthsShort: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
    today: "今天",
    clear: "清除",
    titleFormat: "yyyy年mm月",
    format: "yyyy-mm-dd",
    weekStart: 1
  };
  var lang = document.documentElement.getAttribute("data-locale");
  if (lang && $.fn.datepicker.dates[lang]) {
    $.fn.datepicker.defaults.language = lang;
  }
})(jQuery);
