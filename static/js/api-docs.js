// Starts Redoc on the API documentation page (templates/api/docs.html), from a file since
// the Content-Security-Policy allows no inline script. The page's nonce lets Redoc's
// <style> elements through; the fonts are the system's (no Google Fonts).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || typeof Redoc === "undefined") {
    return;
  }
  var sans = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  Redoc.init(
    container.dataset.schemaUrl,
    {
      nonce: container.dataset.nonce,
      expandResponses: "200,201",
      hideDownloadButton: false,
      pathInMiddlePanel: true,
      requiredPropsFirst: true,
      sortPropsAlphabetically: false,
      theme: {
        typography: { fontFamily: sans, headings: { fontFamily: sans } },
        colors: { primary: { main: "#1f4e79" } },
      },
    },
    container
  );
})();
