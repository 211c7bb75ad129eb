// Starts ReDoc on /api/docs (an external script: the site's CSP allows no inline script).
// Colours chosen for WCAG AA contrast on white (axe-core runs on this page in the tests).
(function () {
  "use strict";
  var root = document.getElementById("api-reference");
  var dark = "#17191c", muted = "#374151";
  Redoc.init(
    root.getAttribute("data-openapi-url"),
    {
      disableSearch: true,
      expandResponses: "200,201",
      theme: {
        colors: {
          primary: { main: "#1d4ed8" },
          success: { main: "#0a6b30" },
          warning: { main: "#8a4b00" },
          error: { main: "#b42318" },
          text: { primary: dark, secondary: muted },
          http: { get: "#1d4ed8", post: "#0a6b30", put: "#8a4b00", delete: "#b42318" },
          responses: {
            success: { color: "#0a6b30", backgroundColor: "#ecfdf3" },
            error: { color: "#b42318", backgroundColor: "#fef3f2" },
            redirect: { color: "#8a4b00", backgroundColor: "#fffaeb" },
            info: { color: "#1d4ed8", backgroundColor: "#eff6ff" },
          },
        },
        typography: { fontSize: "16px", code: { color: "#9f1239", fontSize: "14px" }, links: { color: "#1d4ed8" } },
        sidebar: { textColor: dark, backgroundColor: "#f5f6f8" },
        rightPanel: { backgroundColor: "#1f2937", textColor: "#f9fafb" },
      },
    },
    root
  );
})();
