/* carbonpeak scenario page: trajectories with the peak, the fan, the LMDI waterfall, the MACC.
 * Data come from <script type="application/json"> blocks (the CSP forbids inline scripts);
 * needs vendor/echarts.min.js (ECharts 5.6). */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif';
  var PALETTE = ["#1d5fa8", "#2f9e8f", "#e0a526", "#c8553d", "#6b5ca5", "#4f9bd9",
                 "#8bb35a", "#d97a3a", "#8a6f4d", "#5b7083", "#b8496b", "#3ea0b8",
                 "#a3a948", "#7d8ccc", "#c9a27e", "#4d7c59", "#9c6bb3", "#e07b91"];
  var UP = "#c8553d";
  var DOWN = "#2f9e8f";
  var ENDS = "#5b7083";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || isNaN(v)) {
      return "—";
    }
    return Number(v).toLocaleString("en-US", { minimumFractionDigits: digits,
                                                maximumFractionDigits: digits });
  }

  function base(unit) {
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT, color: "#33475b" },
      animationDuration: 300,
      grid: { left: 16, right: 28, top: 56, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0, left: 0, right: 0, textStyle: { fontFamily: FONT } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, 3) + " " + unit; } }
    };
  }

  function line2030(label) {
    return { silent: true, symbol: "none", label: { formatter: label, position: "end" },
             lineStyle: { type: "dashed", color: "#b23b2a" }, data: [{ xAxis: "2030" }] };
  }

  function peakMark(s, name) {
    return { symbolSize: 46, label: { formatter: s.peakYear, fontSize: 11 },
             data: [{ name: name + " " + s.name, coord: [s.peakYear, s.peakValue],
                      value: fmt(s.peakValue, 2) }] };
  }

  function trajectories(d) {
    var opt = base(d.unit);
    opt.xAxis = { type: "category", data: d.years, boundaryGap: false };
    opt.yAxis = { type: "value", name: d.unit, nameTextStyle: { align: "left" }, scale: false };
    if (d.view === "metal" && d.series.length) {
      var s0 = d.series[0];
      opt.series = s0.byMetal.map(function (m) {
        return { name: m.name, type: "line", stack: "metal", areaStyle: { opacity: 0.55 },
                 symbol: "none", lineStyle: { width: 0.5 }, data: m.data,
                 emphasis: { focus: "series" } };
      });
      opt.series.push({ name: s0.name + " · " + d.totalName, type: "line", data: s0.total,
                        symbol: "none", lineStyle: { width: 2.5, color: "#17324d" },
                        itemStyle: { color: "#17324d" },
                        markPoint: peakMark(s0, d.peakName), markLine: line2030(d.line2030Name) });
    } else {
      opt.series = d.series.map(function (s, i) {
        var out = { name: s.name, type: "line", data: s.total, symbol: "none",
                    lineStyle: { width: 2.5 }, markPoint: peakMark(s, d.peakName) };
        if (i === 0) {
          out.markLine = line2030(d.line2030Name);
        }
        return out;
      });
    }
    return opt;
  }

  function band(lower, upper) {
    return upper.map(function (u, i) { return u - lower[i]; });
  }

  function fan(d) {
    var opt = base(d.unit);
    opt.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return d.years[i] + "<br>P5–P95: " + fmt(d.p5[i], 2) + " – " + fmt(d.p95[i], 2) +
        "<br>P25–P75: " + fmt(d.p25[i], 2) + " – " + fmt(d.p75[i], 2) +
        "<br>" + d.medianName + ": " + fmt(d.p50[i], 2) + "<br>" + d.deterministicName + ": " +
        fmt(d.deterministic[i], 2) + " " + d.unit;
    };
    opt.xAxis = { type: "category", data: d.years, boundaryGap: false };
    opt.yAxis = { type: "value", name: d.unit, nameTextStyle: { align: "left" } };
    var area = function (name, data, opacity) {
      return { name: name, type: "line", stack: "fan", data: data, symbol: "none",
               itemStyle: { color: "rgba(29,95,168," + (opacity + 0.1) + ")" },
               lineStyle: { opacity: 0 }, areaStyle: { color: "#1d5fa8", opacity: opacity } };
    };
    opt.legend.data = [d.outerName, d.innerName, d.medianName, d.deterministicName];
    opt.series = [
      { name: "p5", type: "line", stack: "fan", data: d.p5, symbol: "none",
        lineStyle: { opacity: 0 }, areaStyle: { opacity: 0 } },
      area(d.outerName, band(d.p5, d.p25), 0.18),
      area(d.innerName, band(d.p25, d.p75), 0.38),
      area(d.outerName, band(d.p75, d.p95), 0.18),
      { name: d.medianName, type: "line", data: d.p50, symbol: "none",
        lineStyle: { width: 2.5, color: "#17324d" }, itemStyle: { color: "#17324d" },
        markLine: line2030("2030") },
      { name: d.deterministicName, type: "line", data: d.deterministic, symbol: "none",
        lineStyle: { width: 1.5, type: "dashed", color: "#e0a526" }, itemStyle: { color: "#e0a526" } }
    ];
    return opt;
  }

  function waterfall(d) {
    var opt = base(d.unit);
    var names = [d.startName].concat(d.factors, [d.endName]);
    var hidden = [0];
    var shown = [{ value: d.start, itemStyle: { color: ENDS } }];
    var level = d.start;
    d.effects.forEach(function (e) {
      var next = level + e;
      hidden.push(Math.min(level, next));
      shown.push({ value: Math.abs(e), signed: e, itemStyle: { color: e >= 0 ? UP : DOWN } });
      level = next;
    });
    hidden.push(0);
    shown.push({ value: d.end, itemStyle: { color: ENDS } });
    opt.legend = { show: false };
    opt.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (items) {
      var p = items[items.length - 1];
      var v = p.data.signed !== undefined ? p.data.signed : p.data.value;
      var sign = p.data.signed !== undefined && v > 0 ? "+" : "";
      return p.name + ": " + sign + fmt(v, 3) + " " + d.unit;
    } };
    opt.xAxis = { type: "category", data: names,
                  axisLabel: { interval: 0, width: 64, overflow: "break", lineHeight: 14 } };
    var low = Math.min.apply(null, hidden.slice(1, -1).concat([d.start, d.end]));
    opt.yAxis = { type: "value", name: d.unit, nameTextStyle: { align: "left" },
                  min: low > 0 ? Math.floor(low * 0.9 * 10) / 10 : null };
    opt.series = [
      { name: "base", type: "bar", stack: "w", silent: true, data: hidden,
        itemStyle: { color: "transparent", borderColor: "transparent" } },
      { name: "effect", type: "bar", stack: "w", data: shown, barMaxWidth: 48,
        label: { show: true, position: "top", formatter: function (p) {
          var v = p.data.signed !== undefined ? p.data.signed : p.data.value;
          return (p.data.signed !== undefined && v > 0 ? "+" : "") + fmt(v, 2);
        } } }
    ];
    return opt;
  }

  function macc(d) {
    var opt = base("");
    opt.legend = { show: false };
    opt.grid.top = 40;
    opt.grid.bottom = 36;
    opt.tooltip = { trigger: "item", formatter: function (p) {
      var b = d.bars[p.dataIndex];
      return b.name + "<br>" + fmt(b.x1 - b.x0, 1) + " / " + fmt(b.cost, 0);
    } };
    opt.xAxis = { type: "value", name: d.xName, nameLocation: "middle", nameGap: 28, min: 0 };
    opt.yAxis = { type: "value", name: d.yName, nameTextStyle: { align: "left" } };
    opt.series = [{
      type: "custom",
      name: "macc",
      encode: { x: [0, 1], y: 2 },
      data: d.bars.map(function (b) { return [b.x0, b.x1, b.cost, b.name]; }),
      renderItem: function (params, api) {
        var start = api.coord([api.value(0), api.value(2)]);
        var end = api.coord([api.value(1), 0]);
        var cost = api.value(2);
        var rect = echarts.graphic.clipRectByRect(
          { x: start[0], y: Math.min(start[1], end[1]), width: Math.max(end[0] - start[0], 1),
            height: Math.abs(end[1] - start[1]) },
          { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width,
            height: params.coordSys.height });
        if (!rect) {
          return null;
        }
        var wide = rect.width > 44;
        return { type: "rect", shape: rect,
                 style: { fill: cost < 0 ? DOWN : PALETTE[params.dataIndex % PALETTE.length],
                          stroke: "#fff", lineWidth: 1 },
                 textContent: wide ? { style: { text: api.value(3), fontSize: 10, fill: "#33475b",
                                                width: rect.width, overflow: "break" } } : undefined,
                 textConfig: wide ? { position: cost < 0 ? "bottom" : "top" } : undefined };
      }
    }];
    return opt;
  }

  var BUILDERS = { "chart-trajectories": trajectories, "chart-fan": fan, "chart-lmdi": waterfall,
                   "chart-macc": macc };

  function draw() {
    if (typeof echarts === "undefined") {
      return;
    }
    var charts = [];
    Object.keys(BUILDERS).forEach(function (id) {
      var el = document.getElementById(id);
      var data = el ? readJson(el.getAttribute("data-source")) : null;
      if (!el || !data) {
        return;
      }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(BUILDERS[id](data));
      el.setAttribute("data-rendered", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
