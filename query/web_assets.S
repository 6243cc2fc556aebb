/* web_assets.S - embeds the search page's files (query/web/) and the API's
 * OpenAPI document (query/openapi.json) in idxd; web.c serves them.  Paths are relative to the repository root, where make runs. */
        .section .rodata
        .globl idxd_web_index_html, idxd_web_index_html_end
idxd_web_index_html:
        .incbin "query/web/index.html"
idxd_web_index_html_end:
        .globl idxd_web_app_js, idxd_web_app_js_end
idxd_web_app_js:
        .incbin "query/web/app.js"
idxd_web_app_js_end:
        .globl idxd_web_app_css, idxd_web_app_css_end
idxd_web_app_css:
        .incbin "query/web/app.css"
idxd_web_app_css_end:
        .globl idxd_web_favicon_svg, idxd_web_favicon_svg_end
idxd_web_favicon_svg:
        .incbin "query/web/favicon.svg"
idxd_web_favicon_svg_end:
        .globl idxd_openapi_json, idxd_openapi_json_end
idxd_openapi_json:
        .incbin "query/openapi.json"
idxd_openapi_json_end:
        .byte 0
        .section .note.GNU-stack,"",%progbits
