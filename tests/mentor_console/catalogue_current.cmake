# Fails when the console's or the OR sender's sources have a user-facing string that i18n/surgilink_ja.ts does not
# translate yet (someone added a qsTr/tr or an OR display word and did not run `cmake --build build/dev --target
# update_translations`): lupdate runs over the sources into a copy of the catalogue, and every entry it had to add
# is unfinished.
# -DLUPDATE=... -DCATALOGUE=... -DCOPY=... -DSOURCES=a|b|c -DOPTIONS=x|y
string(REPLACE "|" ";" SOURCES "${SOURCES}")
string(REPLACE "|" ";" OPTIONS "${OPTIONS}")
file(COPY_FILE "${CATALOGUE}" "${COPY}")
execute_process(COMMAND "${LUPDATE}" -locations none -no-obsolete ${OPTIONS} ${SOURCES} -ts "${COPY}"
  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "lupdate failed (${result}):\n${output}")
endif()
file(STRINGS "${COPY}" unfinished REGEX "type=\"unfinished\"")
if(unfinished)
  file(READ "${COPY}" text)
  string(REGEX MATCHALL "<source>[^<]*</source>[ \n]*<translation type=\"unfinished\"" missing "${text}")
  string(REPLACE ";" "\n" missing "${missing}")
  message(FATAL_ERROR "${CATALOGUE} lacks strings the console or the OR display shows (run the update_translations target and "
                      "translate them):\n${missing}")
endif()
message(STATUS "every user-facing string of the console and the OR display is in ${CATALOGUE}, translated")
