# cmake -DINPUT=… -DOUTPUT=… -DSYMBOL=… -P EmbedFile.cmake
# Writes a C++ source defining `extern const std::string_view SYMBOL` with INPUT's bytes, so the
# server carries protocol-spec/openrpc.json without a second, hand-kept copy.
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/EmbedFile.cmake. Do not edit.\n"
  "#include <string_view>\n"
  "namespace {\nconst char kBytes[] = {${bytes} '\\0'};\n}\n"
  "namespace vmscope::embedded {\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}(kBytes, sizeof kBytes - 1);\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
