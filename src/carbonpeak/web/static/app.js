/* carbonpeak web pages: charts from <script type="application/json"> data blocks.
 * Loaded from /static (the CSP forbids inline scripts); needs vendor/echarts.min.js. */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif';
  var PALETTE = ["#1d5fa8", "#2f9e8f", "#e0a526", "#c8553d", "#6b5ca5", "#4f9bd9",
                 "#8bb35a", "#d97a3a", "#8a6f4d", "#5b7083", "#b8496b", "#3ea0b8",
                 "#a3a948", "#7d8ccc", "#c9a27e", "#4d7c59", "#9c6bb3", "#e07b91"];

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function base() {
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT, color: "#33475b" },
      animationDuration: 400,
      grid: { left: 16, right: 24, top: 64, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }
    };
  }

  function cityMetal(data) {
    var opt = base();
    opt.legend = { type: "scroll", top: 0, left: 0, right: 0, textStyle: { fontFamily: FONT } };
    opt.xAxis = { type: "category", data: data.categories,
                  axisLabel: { interval: 0, hideOverlap: false } };
    opt.yAxis = { type: "value", name: data.valueName, minInterval: 1,
                  nameTextStyle: { align: "left" } };
    opt.series = data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "enterprises", data: s.data,
               barMaxWidth: 36, emphasis: { focus: "series" } };
    });
    return opt;
  }

  function metal(data) {
    var opt = base();
    opt.legend = { top: 0, left: 0, textStyle: { fontFamily: FONT } };
    opt.grid.right = 16;
    opt.xAxis = { type: "category", data: data.categories,
                  axisLabel: { interval: 0, rotate: data.categories.length > 8 ? 40 : 0 } };
    opt.yAxis = [
      { type: "value", name: data.enterprisesName, minInterval: 1,
        nameTextStyle: { align: "left" } },
      { type: "value", name: data.capacityName, splitLine: { show: false },
        nameTextStyle: { align: "right" } }
    ];
    opt.series = [
      { name: data.enterprisesName, type: "bar", data: data.enterprises, barMaxWidth: 28,
        itemStyle: { color: "#1d5fa8" } },
      { name: data.capacityName, type: "line", yAxisIndex: 1, data: data.capacity,
        symbolSize: 7, itemStyle: { color: "#e0a526" }, lineStyle: { width: 2 } }
    ];
    return opt;
  }

  /* One colour per source category (the same as the .cat-* dots in app.css). */
  var CATEGORY_COLORS = {
    combustion: "#c8553d", feedstock: "#8a6f4d", carbonate: "#e0a526", oxalate: "#a3a948",
    anode: "#6b5ca5", pfc: "#b8496b", electricity: "#1d5fa8", heat: "#2f9e8f"
  };

  function formatNumber(v, digits) {
    if (v === null || v === undefined || isNaN(v)) {
      return "—";
    }
    return Number(v).toLocaleString("en-US", { minimumFractionDigits: digits,
                                                maximumFractionDigits: digits });
  }

  function inventory(data) {
    var opt = base();
    var unit = data.unit;
    opt.legend = { type: "scroll", top: 0, left: 0, right: 0, textStyle: { fontFamily: FONT } };
    opt.grid.top = 56;
    opt.tooltip.valueFormatter = function (v) { return formatNumber(v, 1) + " " + unit; };
    opt.xAxis = { type: "category", data: data.categories, axisTick: { alignWithLabel: true } };
    opt.yAxis = { type: "value", name: data.valueName, nameTextStyle: { align: "left" },
                  axisLabel: { formatter: function (v) { return formatNumber(v, 0); } } };
    opt.series = data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "co2e", data: s.data, barMaxWidth: 56,
               itemStyle: { color: CATEGORY_COLORS[s.key] }, emphasis: { focus: "series" } };
    });
    if (data.market) {
      opt.series.push({ name: data.market.name, type: "line", data: data.market.data,
                        symbol: "circle", symbolSize: 7, z: 5,
                        itemStyle: { color: "#33475b" },
                        lineStyle: { width: 2, type: "dashed", color: "#33475b" } });
    }
    return opt;
  }

  var BUILDERS = { "city-metal": cityMetal, "metal": metal, "inventory": inventory };

  function init() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (div) {
      var build = BUILDERS[div.getAttribute("data-chart")];
      var data = readJson(div.getAttribute("data-source"));
      if (!build || !data) {
        return;
      }
      var chart = window.echarts.init(div, null, { renderer: "canvas" });
      chart.setOption(build(data));
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
      }, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
