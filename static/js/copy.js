// Progressive enhancement: a button that copies the ready citation. Without JavaScript the
// citation is plain text on the page and the button stays hidden. The status line tells screen
// reader users that the copy happened, since a changed button label is not announced.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  var status = document.getElementById(button.dataset.status);
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy).textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
      if (status) status.textContent = "Citation copied to the clipboard.";
      setTimeout(function () {
        button.textContent = "Copy citation";
        if (status) status.textContent = "";
      }, 4000);
    });
  });
});
