// The brief page's interactive chart (TradingView lightweight-charts, vendored under
// /static/vendor/). It replaces the static SVG in place once the chart data has arrived, so a
// reader without JavaScript (or when the fetch fails) keeps the SVG.
(function () {
  "use strict";
  const LWC = window.LightweightCharts;
  const UP = "#16a34a", DOWN = "#dc2626";
  const AVERAGE_COLOURS = { 50: "#f59e0b", 200: "#8b5cf6" };
  const NARROW = 480;  // px: under this the legend is three short lines ("50d 175.54")
  const LOGO_CLEAR = 30;  // px kept free of level labels at the bottom (TradingView's logo)

  function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function fmt(value, decimals) {
    return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  function fmtVolume(v) {
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + "B";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + "K";
    return String(Math.round(v));
  }

  function span(text, colour) {
    const el = document.createElement("span");
    el.textContent = text;
    if (colour) el.style.color = colour;
    return el;
  }

  // Level zones and their labels, drawn on the price pane. Labels sit at the right edge of the
  // pane; ones that would overlap are pushed apart (a short leader joins a label to its line).
  class LevelPrimitive {
    constructor(levels, background, foreground, element) {
      this.element = element;
      this.levels = levels;
      this.background = background;
      this.foreground = foreground;
      this.series = null;
      this.request = null;
      this.minTop = 0;  // px kept clear for the legend
    }
    attached(param) { this.series = param.series; this.request = param.requestUpdate; }
    detached() { this.series = null; }
    updateAllViews() {}
    paneViews() {
      const self = this;
      return [{
        zOrder: function () { return "bottom"; },
        renderer: function () {
          return { draw: function (target) { self.drawZones(target); } };
        },
      }, {
        zOrder: function () { return "top"; },
        renderer: function () {
          return { draw: function (target) { self.drawLabels(target); } };
        },
      }];
    }
    drawZones(target) {
      const series = this.series;
      if (!series) return;
      const levels = this.levels;
      target.useMediaCoordinateSpace(function (scope) {
        const ctx = scope.context;
        for (const lv of levels) {
          if (lv.zone_low == null || lv.zone_high == null || lv.zone_high <= lv.zone_low) continue;
          const y1 = series.priceToCoordinate(lv.zone_high), y2 = series.priceToCoordinate(lv.zone_low);
          if (y1 == null || y2 == null) continue;
          ctx.globalAlpha = 0.12;
          ctx.fillStyle = lv.colour;
          ctx.fillRect(0, Math.min(y1, y2), scope.mediaSize.width, Math.max(1, Math.abs(y2 - y1)));
          ctx.globalAlpha = 1;
        }
      });
    }
    drawLabels(target) {
      const series = this.series;
      if (!series) return;
      const self = this;
      target.useMediaCoordinateSpace(function (scope) {
        const ctx = scope.context;
        const h = 16, gap = 1, height = scope.mediaSize.height;
        ctx.font = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";
        let items = [];
        for (const lv of self.levels) {
          const y = series.priceToCoordinate(lv.price);
          if (y == null || y < 0 || y > height) continue;
          items.push({ lv: lv, text: lv.label, y: y, top: Math.max(self.minTop, y - h - 1) });  // above its line
        }
        items.sort(function (a, b) { return a.y - b.y; });
        items = items.filter(function (it, i) {  // levels at one price: one label ("Support 3.95 · 1 touch · 52-week low 3.95")
          const prev = i > 0 ? items[i - 1] : null;
          if (prev && Math.abs(it.y - prev.y) < 2) { prev.text += " · " + it.text; return false; }
          return true;
        });
        for (let i = 1; i < items.length; i++) {  // push down past the one above
          items[i].top = Math.max(items[i].top, items[i - 1].top + h + gap);
        }
        let bottom = height - LOGO_CLEAR;  // clear of the attribution logo (bottom left); the top of the legend
        for (let i = items.length - 1; i >= 0; i--) {  // then back up inside the pane
          items[i].top = Math.min(items[i].top, bottom - h);
          bottom = items[i].top - gap;
        }
        const boxes = [];
        for (const it of items) {
          const x = 6, mid = it.top + h / 2;
          if (Math.abs(it.top + h + 1 - it.y) > 1) {  // pushed off its line: a short leader back to it
            ctx.strokeStyle = it.lv.colour;
            ctx.beginPath();
            ctx.moveTo(x + 3, mid + 3);
            ctx.lineTo(x + 3, it.y);
            ctx.stroke();
          }
          const w = ctx.measureText(it.text).width;
          ctx.globalAlpha = 0.85;  // a card behind the words: readable over the candles
          ctx.fillStyle = self.background;
          ctx.fillRect(x - 2, it.top, w + 16, h);
          ctx.globalAlpha = 1;
          ctx.fillStyle = it.lv.colour;
          ctx.fillRect(x, mid - 3, 6, 6);
          ctx.textBaseline = "middle";
          ctx.fillStyle = self.foreground;
          ctx.fillText(it.text, x + 10, mid + 1);
          boxes.push([Math.round(x - 2), Math.round(it.top), Math.round(w + 16), h, it.text]);
        }
        // where the labels went (x, y, w, h, text in the pane's px), for the browser tests
        const placed = JSON.stringify(boxes);
        if (self.element && self.element.getAttribute("data-level-labels") !== placed) {
          self.element.setAttribute("data-level-labels", placed);
        }
      });
    }
  }

  function draw(box, data) {
    const fg = cssVar("--fg", "#17191c"), muted = cssVar("--muted", "#5f6670");
    const card = cssVar("--card", "#f5f6f8"), line = cssVar("--line", "#dde0e5");
    const d = data.decimals, legendDecimals = Math.max(d, 2);
    box.textContent = "";
    box.classList.add("pxchart-live");
    const chart = LWC.createChart(box, {
      autoSize: true,
      layout: { background: { type: "solid", color: card }, textColor: fg, fontSize: 12, attributionLogo: true },
      grid: { vertLines: { color: line }, horzLines: { color: line } },
      rightPriceScale: { borderColor: line, scaleMargins: { top: 0.2, bottom: data.has_volume ? 0.22 : 0.06 } },
      timeScale: { borderColor: line, rightOffset: 8, minBarSpacing: 2 },
      localization: { priceFormatter: function (p) { return fmt(p, d); }, locale: "en-US" },
      crosshair: { mode: LWC.CrosshairMode.Normal },
      handleScroll: { vertTouchDrag: false },
    });
    const candles = chart.addSeries(LWC.CandlestickSeries, {
      upColor: UP, downColor: DOWN, borderUpColor: UP, borderDownColor: DOWN, wickUpColor: UP, wickDownColor: DOWN,
      priceLineVisible: false,
      priceFormat: { type: "price", precision: d, minMove: Math.pow(10, -d) },
      autoscaleInfoProvider: function (original) {
        const res = original();
        if (!res || !res.priceRange) return res;
        const lo = res.priceRange.minValue, hi = res.priceRange.maxValue, reach = (hi - lo) * 0.25;
        for (const lv of data.levels) {  // keep the levels near the visible bars in view
          if (lv.price >= lo - reach && lv.price <= hi + reach) {
            res.priceRange.minValue = Math.min(res.priceRange.minValue, lv.price);
            res.priceRange.maxValue = Math.max(res.priceRange.maxValue, lv.price);
          }
        }
        return res;
      },
    });
    candles.setData(data.bars.map(function (b) {
      return { time: b.time, open: b.open, high: b.high, low: b.low, close: b.close };
    }));
    let volume = null;
    if (data.has_volume) {
      volume = chart.addSeries(LWC.HistogramSeries, {
        priceScaleId: "", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false,
      });
      volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
      volume.setData(data.bars.map(function (b) {
        return { time: b.time, value: b.volume, color: b.close >= b.open ? "rgba(22,163,74,0.35)" : "rgba(220,38,38,0.35)" };
      }));
    }
    const averages = data.averages.map(function (a) {
      const s = chart.addSeries(LWC.LineSeries, {
        color: AVERAGE_COLOURS[a.period] || muted, lineWidth: 2, priceLineVisible: false,
        lastValueVisible: false, crosshairMarkerVisible: false,
        autoscaleInfoProvider: function () { return null; },  // the candles set the scale
      });
      s.setData(a.points);
      return { meta: a, series: s };
    });
    for (const lv of data.levels) {
      candles.createPriceLine({
        price: lv.price, color: lv.colour, lineWidth: 1, lineStyle: LWC.LineStyle.Dashed,
        axisLabelVisible: true, title: "",
      });
    }
    const levelsDrawn = new LevelPrimitive(data.levels, card, fg, box);
    candles.attachPrimitive(levelsDrawn);
    const slugs = {};
    const current = data.markers.find(function (m) { return m.current; }) || null;
    LWC.createSeriesMarkers(candles, data.markers.map(function (m) {
      slugs[m.slug] = m.slug;
      const colour = m.direction === "Bullish" ? UP : m.direction === "Bearish" ? DOWN : muted;
      return m.current
        ? { id: m.slug, time: m.time, position: "aboveBar", shape: "arrowDown", color: fg }  // named in the legend
        : { id: m.slug, time: m.time, position: "belowBar", shape: "circle", color: colour, size: 0.6 };
    }));
    chart.subscribeClick(function (p) {
      if (p.hoveredObjectId && slugs[p.hoveredObjectId]) {
        window.location.href = "/briefs/" + encodeURIComponent(p.hoveredObjectId);
      }
    });

    // The legend: the hovered (else the last) bar's OHLC, change and volume, the averages.
    const legend = document.createElement("div");
    legend.className = "pxchart-ohlc";
    box.appendChild(legend);
    const byTime = {};
    data.bars.forEach(function (b, i) { byTime[b.time] = i; });
    function show(time) {
      const i = time != null && byTime[time] != null ? byTime[time] : data.bars.length - 1;
      const b = data.bars[i], prev = i > 0 ? data.bars[i - 1].close : b.open;
      const narrow = box.clientWidth < NARROW;
      // a yield's change in basis points ("4.06% -5 bp"), anything else's in percent
      const bp = data.move_unit === "bp", unit = bp ? "%" : "";
      const change = bp ? (b.close - prev) * 100 : prev ? (b.close / prev - 1) * 100 : 0;
      const dp = narrow ? d : legendDecimals;  // a phone reads 6,902 where a desktop reads 6,902.05
      const move = span((change >= 0 ? "+" : "\u2212") + (bp ? Math.abs(change).toFixed(0) + " bp" : Math.abs(change).toFixed(2) + "%"),
        change >= 0 ? UP : DOWN);
      const isCurrent = current && current.time === b.time;
      legend.textContent = "";
      if (narrow) {  // three short lines: the close and its move, the range, the averages
        legend.appendChild(span(data.symbol + " " + b.time.slice(5) + " ", muted));
        legend.appendChild(span("C " + fmt(b.close, dp) + unit + " ", fg));
        legend.appendChild(move);
        legend.appendChild(document.createElement("br"));
        legend.appendChild(span("O " + fmt(b.open, dp) + " H " + fmt(b.high, dp) + " L " + fmt(b.low, dp), fg));
        if (isCurrent) legend.appendChild(span(" \u25BC this brief", fg));
      } else {
        legend.appendChild(span(data.symbol + " · daily · " + b.time + " ", muted));
        legend.appendChild(span("O " + fmt(b.open, dp) + " H " + fmt(b.high, dp) +
          " L " + fmt(b.low, dp) + " C " + fmt(b.close, dp) + unit + " ", fg));
        legend.appendChild(move);
      }
      legend.appendChild(document.createElement("br"));
      const extra = [];
      if (data.has_volume) extra.push(span("Vol " + fmtVolume(b.volume), muted));
      for (const a of averages) {
        const pt = a.meta.points.find(function (p) { return p.time === b.time; });
        const words = narrow ? a.meta.period + "d" : a.meta.label;  // "50d": the caption names it
        if (pt) extra.push(span(words + " " + fmt(pt.value, dp), AVERAGE_COLOURS[a.meta.period] || muted));
      }
      if (current && !narrow) extra.push(span("\u25BC " + (isCurrent ? "this brief" : "this brief, " + current.time), fg));
      extra.forEach(function (el, k) { if (k) legend.appendChild(span(" · ", muted)); legend.appendChild(el); });
    }
    show(null);
    // Room at the top for the legend: the price scale starts below it, level labels too.
    const clear = legend.offsetHeight + 8;
    levelsDrawn.minTop = clear;
    chart.priceScale("right").applyOptions({ scaleMargins: { top: Math.min(0.45, (clear + 10) / box.clientHeight), bottom: data.has_volume ? 0.22 : 0.06 } });
    chart.subscribeCrosshairMove(function (p) { show(p.time == null ? null : p.time); });

    const shown = box.clientWidth >= 640 ? 130 : 60;  // sessions in view; scroll back for the year
    const n = data.bars.length;
    chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, n - shown), to: n + 8 });
    return chart;
  }

  function start(box) {
    const url = box.getAttribute("data-chart");
    if (!url || !LWC) return;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("chart data: HTTP " + r.status); return r.json(); })
      .then(function (data) {
        if (!data.bars || data.bars.length < 2) return;  // keep the static SVG
        draw(box, data);
        const caption = box.parentElement.querySelector(".pxchart-caption");
        if (caption) {
          const brief = data.markers.some(function (m) { return m.current; });
          caption.textContent = "Daily candles" + (data.has_volume ? " and volume" : "") + " to " + data.last_bar +
            (brief ? " (the brief's data), " : ", ") +
            (data.averages.length ? data.averages.map(function (a) { return a.label; }).join(" and ") + ", " : "") +
            (brief ? "the brief's levels; the arrow marks this brief, dots earlier briefs." : "the latest levels (from the bar of " + data.levels_bar + "); dots mark briefs.") +
            " Drag to scroll back a year.";
        }
      })
      .catch(function (err) { console.warn(err.message); });  // the static SVG stays
  }

  document.querySelectorAll("[data-chart]").forEach(start);
})();
