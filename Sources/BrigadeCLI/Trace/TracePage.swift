import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `brigade trace --html`: one self-contained page (no network, no external script, style or font;
/// a Content-Security-Policy that forbids loading any) with the timeline's SVG and a small script:
/// zoom (buttons, or the wheel over the chart), a tooltip per row (arguments and output previews,
/// tokens, cost), rows that fold (a click folds or unfolds what is under a row), and the summary.
/// The script reads only the SVG's attributes and puts tooltips in with `textContent`.
struct TracePage {
    let trace: RunTrace

    var html: String {
        let svg = TraceSVG(trace: trace)
        let title = Markup.escape("Brigade trace \(trace.runID)")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <div class="controls"><button id="zoom-in">Zoom in</button><button id="zoom-out">Zoom out</button><button id="zoom-reset">Whole run</button>
            <span>Click a row to fold or unfold what is under it · the wheel over the chart zooms · hover a bar for its details.</span></div>
            \(svg.element(svg.rows))<div id="tip"></div>
            <script>\(Self.script)</script>
            </body>
            </html>

            """
    }

    static let style = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:16px;color:#212529;background:#fff}
        h1{font-size:16px;margin:0 0 4px}.speed-up{margin:0 0 8px;color:#495057}.controls{margin:0 0 8px;font-size:12px;color:#495057}
        button{margin-right:4px}svg .row{cursor:pointer}svg .row:hover>text{fill:#1864ab}svg .folded>.label{font-style:italic}
        #tip{position:fixed;display:none;max-width:560px;white-space:pre-wrap;word-break:break-all;background:#212529;color:#f8f9fa;
        padding:8px;border-radius:4px;font:12px monospace;pointer-events:none;z-index:2}
        """

    static let script = """
        (function () {
          "use strict";
          var svg = document.getElementById("timeline"), tip = document.getElementById("tip");
          var rows = Array.prototype.slice.call(svg.querySelectorAll("g.row"));
          var left = 340, width = +svg.getAttribute("data-bar-width"), total = +svg.getAttribute("data-total");
          var top = 58, height = 22, from = 0, to = total, folded = {};
          rows.forEach(function (row) {
            var title = row.querySelector("title");
            row.tipText = title ? title.textContent : "";
            if (title) title.remove();
          });
          function seconds(s) { return s < 1 ? Math.round(s * 1000) + "ms" : s < 100 ? s.toFixed(2) + "s" : Math.round(s) + "s"; }
          function x(s) { return left + (s - from) / (to - from) * width; }
          function clamp(v) { return Math.max(left, Math.min(left + width, v)); }
          function draw() {
            svg.querySelectorAll("[data-s]").forEach(function (bar) {
              var a = x(+bar.getAttribute("data-s")), b = x(+bar.getAttribute("data-e"));
              var outside = b < left || a > left + width;
              bar.style.display = outside ? "none" : "";
              if (outside) return;
              if (bar.tagName === "path") { bar.setAttribute("d", "M" + a + " 3 l8 8 l-8 8 l-8 -8 z"); return; }
              bar.setAttribute("x", clamp(a));
              bar.setAttribute("width", Math.max(1, clamp(b) - clamp(a)));
            });
            svg.querySelectorAll("#axis text").forEach(function (label, i) { label.textContent = seconds(from + (to - from) * i / 4); });
          }
          function layout() {
            var y = top, hiding = -1;
            rows.forEach(function (row, i) {
              var depth = +row.getAttribute("data-depth");
              if (hiding >= 0 && depth > hiding) { row.style.display = "none"; return; }
              hiding = folded[i] ? depth : -1;
              row.style.display = "";
              row.setAttribute("transform", "translate(0," + y + ")");
              row.classList.toggle("folded", !!folded[i]);
              y += height;
            });
            var full = y + 40;
            svg.setAttribute("height", full);
            svg.setAttribute("viewBox", "0 0 " + svg.getAttribute("width") + " " + full);
            svg.querySelector("rect").setAttribute("height", full);
            svg.querySelectorAll("#axis line").forEach(function (line) { line.setAttribute("y2", full - 34); });
            svg.querySelectorAll(".foot").forEach(function (text) { text.setAttribute("y", full - +text.getAttribute("data-below")); });
          }
          function zoom(factor, at) {
            var span = Math.min(total, Math.max(total / 10000, (to - from) * factor));
            from = Math.max(0, Math.min(total - span, at - (at - from) * span / (to - from)));
            to = from + span;
            draw();
          }
          rows.forEach(function (row, i) {
            var next = rows[i + 1];
            if (next && +next.getAttribute("data-depth") > +row.getAttribute("data-depth")) {
              row.addEventListener("click", function () { folded[i] = !folded[i]; layout(); });
            }
            row.addEventListener("mousemove", function (event) {
              tip.textContent = row.tipText;
              tip.style.display = "block";
              tip.style.left = Math.min(event.clientX + 14, window.innerWidth - 580) + "px";
              tip.style.top = (event.clientY + 14) + "px";
            });
            row.addEventListener("mouseleave", function () { tip.style.display = "none"; });
          });
          svg.addEventListener("wheel", function (event) {
            var box = svg.getBoundingClientRect(), scale = box.width / +svg.getAttribute("width");
            var at = from + ((event.clientX - box.left) / scale - left) / width * (to - from);
            event.preventDefault();
            zoom(event.deltaY < 0 ? 0.8 : 1.25, Math.max(from, Math.min(to, at)));
          }, { passive: false });
          document.getElementById("zoom-in").onclick = function () { zoom(0.5, (from + to) / 2); };
          document.getElementById("zoom-out").onclick = function () { zoom(2, (from + to) / 2); };
          document.getElementById("zoom-reset").onclick = function () { from = 0; to = total; draw(); };
          if (rows.length > 500) rows.forEach(function (row, i) { if (row.getAttribute("data-kind") === "run" && i > 0) folded[i] = true; });
          layout();
          draw();
        })();
        """
}
