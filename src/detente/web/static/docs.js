// /docs: Swagger UI from the npm-vendored copy (no CDN), or a note when it is missing.
"use strict";
if (window.SwaggerUIBundle) {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    validatorUrl: null,  // no call to swagger.io: everything stays on this server
    // every request from the "Try it out" panel carries the workspace's custom header
    requestInterceptor: req => { req.headers["X-Detente"] = "1"; return req; },
  });
} else {
  document.getElementById("swagger-missing").hidden = false;
}
