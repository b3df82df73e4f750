// Progressive enhancement: a button that copies the ready citation. Without JavaScript the
// citation is plain text on the page and the button stays hidden.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy).textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy citation"; }, 2000);
    });
  });
});
