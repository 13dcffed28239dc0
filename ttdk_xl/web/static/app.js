// ttdk-xl local page: only progress and drag-and-drop; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A job in the background (writing the outputs): its progress, then the page again.
  document.querySelectorAll("[data-job]").forEach(function (box) {
    var id = box.getAttribute("data-job");
    var bar = box.querySelector("progress");
    var count = box.querySelector(".job-count");
    var title = box.querySelector(".job-title");
    function poll() {
      fetch("/tien-do/" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          title.textContent = job.title + "…";
          if (job.total && job.done < job.total) {
            bar.max = job.total;
            bar.value = job.done;
            count.textContent = "đã đọc " + job.done + "/" + job.total + " tệp";
          } else if (!job.finished) {
            bar.removeAttribute("value"); // reading done: the outputs are being written
            count.textContent = "đang ghi các tệp kết quả";
          }
          if (job.finished) {
            title.textContent = job.error ? "Lỗi: " + job.error : job.message || "Xong.";
            bar.removeAttribute("value");
            bar.hidden = true;
            if (!job.error) { setTimeout(function () { window.location = window.location.pathname; }, 600); }
          } else {
            setTimeout(poll, 400);
          }
        })
        .catch(function () { setTimeout(poll, 1000); });
    }
    poll();
  });
  // Upload: a dashed zone that lights up under dragged files; a bar while the files are checked.
  document.querySelectorAll(".drop").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var text = zone.querySelector(".drop-text");
    ["dragenter", "dragover"].forEach(function (e) {
      zone.addEventListener(e, function () { zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      zone.addEventListener(e, function () { zone.classList.remove("over"); });
    });
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      text.textContent = names.length ? names.length + " tệp: " + names.join(", ") : "Thả tệp vào đây hoặc bấm để chọn";
    });
  });
  document.querySelectorAll("form.upload").forEach(function (form) {
    form.addEventListener("submit", function () {
      var bar = form.querySelector("progress.sending");
      if (bar) { bar.hidden = false; }
      var button = form.querySelector("button");
      if (button) { button.disabled = true; button.textContent = "Đang kiểm tra…"; }
    });
  });
});

// Agreed scores: checked as they are typed, like the validation of the Excel sheet (0…max, on the step).
document.addEventListener("DOMContentLoaded", function () {
  function number(text) {
    var t = text.trim().replace(",", ".");
    return /^-?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : NaN;
  }
  document.querySelectorAll("input.score[data-max]").forEach(function (input) {
    var max = parseFloat(input.getAttribute("data-max"));
    var step = parseFloat(input.getAttribute("data-step")) || 1;
    var row = input.closest("tr");
    function check() {
      var v = number(input.value);
      var ok = !isNaN(v) && v >= 0 && v <= max && Math.abs(v / step - Math.round(v / step)) < 1e-9;
      var shownMax = String(max).replace(".", ",");
      var shownStep = String(step).replace(".", ",");
      input.setCustomValidity(ok ? "" : "Điểm từ 0 đến " + shownMax + ", theo bước " + shownStep + ".");
      if (row) { row.classList.toggle("changed", input.value.trim() !== input.getAttribute("data-self")); }
    }
    input.addEventListener("input", check);
    check();
  });
});
