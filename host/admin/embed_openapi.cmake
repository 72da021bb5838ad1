# Writes OUT, a C++ file defining kOpenApiYaml with the content of IN (run at build time, so an
# edit of openapi.yaml rebuilds the server).
file(READ ${IN} content)
file(WRITE ${OUT} "namespace switchboard::admin {\nextern const char* const kOpenApiYaml;\nconst char* const kOpenApiYaml = R\"sbopenapi(${content})sbopenapi\";\n}\n")
