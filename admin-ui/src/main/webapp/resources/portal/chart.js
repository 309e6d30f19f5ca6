/*
 * The portal's observation charts, drawn with Apache ECharts (the WebJar org.webjars.npm:echarts) from the JSON in each
 * [data-series] element (record.Series#chartData): a time axis with dates, the values with their unit, the reference
 * range as a shaded band, and a tooltip per value. A series of one value is a single marked point in the middle of a
 * week-wide axis, not a dot in a corner. SVG rendering, so the chart scales and prints crisply.
 */
var phrChart = (function () {
  'use strict';
  var DAY = 24 * 3600 * 1000;

  function draw(element) {
    var data = JSON.parse(element.getAttribute('data-series'));
    var existing = echarts.getInstanceByDom(element);
    if (existing) {
      existing.dispose();
    }
    var chart = echarts.init(element, null, { renderer: 'svg' });
    var points = data.points.map(function (p) { return [p[0], p[1]]; });
    var first = Date.parse(points[0][0]);
    var last = Date.parse(points[points.length - 1][0]);
    var pad = Math.max((last - first) * 0.03, 3 * DAY);
    var series = {
      type: 'line', name: data.label, data: points, showSymbol: true, symbolSize: 6,
      lineStyle: { width: 2 }, itemStyle: { color: '#0b5cad' }
    };
    if (data.range) {
      var band = [{ yAxis: data.range.low !== undefined ? data.range.low : 'min' },
                  { yAxis: data.range.high !== undefined ? data.range.high : 'max' }];
      series.markArea = { silent: true, itemStyle: { color: 'rgba(27, 110, 58, 0.12)' },
                          label: { show: true, position: 'insideTopLeft', color: '#1b6e3a', formatter: 'normal range' },
                          data: [band] };
    }
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      grid: { left: 56, right: 16, top: 24, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + (data.unit ? ' ' + data.unit : ''); } },
      xAxis: { type: 'time', min: first - pad, max: last + pad,
               axisLabel: { hideOverlap: true, formatter: '{yyyy}-{MM}-{dd}' } },
      // the axis always takes in the reference band, so values outside it are seen to be outside
      yAxis: { type: 'value', name: data.unit, scale: true, nameTextStyle: { align: 'left' },
               min: function (v) { return nice(Math.min(v.min, low(data)), v, -1); },
               max: function (v) { return nice(Math.max(v.max, high(data)), v, 1); } },
      series: [series]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }

  function low(data) {
    return data.range && data.range.low !== undefined ? data.range.low : Infinity;
  }

  function high(data) {
    return data.range && data.range.high !== undefined ? data.range.high : -Infinity;
  }

  /** A bound a little beyond the value, so no point or band edge sits on the frame. */
  function nice(value, extent, direction) {
    var span = Math.max(extent.max - extent.min, Math.abs(value) * 0.1, 1);
    return Math.round((value + direction * span * 0.05) * 100) / 100;
  }

  function drawAll() {
    var elements = document.querySelectorAll('[data-series]');
    for (var i = 0; i < elements.length; i++) {
      draw(elements[i]);
    }
  }

  document.addEventListener('DOMContentLoaded', drawAll);
  return { drawAll: drawAll };
}());
