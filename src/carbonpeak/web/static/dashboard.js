/* carbonpeak dashboard: one line chart per target (trajectory vs the target line), with a
 * drill-down select (total / city / metal). Data come from <script type="application/json">
 * blocks (the CSP forbids inline scripts); needs vendor/echarts.min.js. */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif';

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) {
      return "—";
    }
    var digits = Math.abs(v) >= 1000 ? 0 : 1;
    return Number(v).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  /* Years from the first year of the series to the target year (a trajectory to the target). */
  function years(series, targetYear) {
    var ys = Object.keys(series).map(Number).filter(function (y) { return !isNaN(y); });
    var first = ys.length ? Math.min.apply(null, ys) : 2020;
    var last = Math.max(targetYear || first, ys.length ? Math.max.apply(null, ys) : first);
    var out = [];
    for (var y = first; y <= last; y += 1) {
      out.push(y);
    }
    return out;
  }

  function option(data, view) {
    var series = view.series || {};
    var isPeak = data.indicator === "peak_year";
    var xs = years(series, data.targetYear);
    var actual = xs.map(function (y) {
      var v = series[String(y)];
      return v === undefined || v === null ? null : v;
    });
    var opt = {
      textStyle: { fontFamily: FONT, color: "#33475b" },
      animationDuration: 300,
      color: ["#1d5fa8", "#c8553d"],
      grid: { left: 12, right: 24, top: 52, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0, textStyle: { fontFamily: FONT } },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      xAxis: { type: "category", data: xs.map(String), boundaryGap: false },
      yAxis: { type: "value", name: isPeak ? "tCO2e" : data.unit, scale: true,
               nameTextStyle: { align: "left" }, axisLabel: { formatter: fmt } },
      series: [
        { name: data.actualName, type: "line", data: actual, connectNulls: false,
          symbol: "circle", symbolSize: 7, lineStyle: { width: 2.5 } }
      ]
    };
    if (view.key === "total" && data.base && data.base.value !== null &&
        (series[String(data.base.year)] === undefined || series[String(data.base.year)] === null)) {
      opt.series.push({
        name: data.base.name, type: "scatter", symbol: "diamond", symbolSize: 12,
        itemStyle: { color: "#6b5ca5" },
        data: xs.map(function (y) { return y === data.base.year ? data.base.value : null; })
      });
    }
    if (!isPeak && data.target !== null && data.target !== undefined) {
      opt.series.push({
        name: data.targetName, type: "line", data: xs.map(function () { return data.target; }),
        symbol: "none", lineStyle: { type: "dashed", width: 2 },
        markPoint: { symbol: "pin", symbolSize: 36,
                     data: [{ coord: [String(data.targetYear), data.target], value: "" + data.targetYear }] }
      });
    } else if (isPeak) {
      opt.series[0].markLine = {
        symbol: "none", lineStyle: { type: "dashed", color: "#c8553d" },
        label: { formatter: data.targetName + " " + data.targetYear },
        data: [{ xAxis: String(data.targetYear) }]
      };
    }
    return opt;
  }

  function init() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    var nodes = document.querySelectorAll("[data-dash-chart]");
    Array.prototype.forEach.call(nodes, function (div) {
      var data = readJson(div.getAttribute("data-dash-chart"));
      if (!data || !data.views || !data.views.length) {
        return;
      }
      var chart = window.echarts.init(div, null, { renderer: "canvas" });
      chart.setOption(option(data, data.views[0]), true);
      charts.push(chart);
      var select = document.getElementById(div.id + "-view");
      if (select) {
        select.addEventListener("change", function () {
          var key = select.value;
          var view = data.views.filter(function (v) { return v.key === key; })[0] || data.views[0];
          chart.setOption(option(data, view), true);
        });
      }
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
