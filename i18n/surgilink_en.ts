<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>SessionBar</name>
    <message numerus="yes">
        <location filename="../mentor_console/qml/SessionBar.qml" line="+32"/>
        <source>· %n other(s): %1</source>
        <translation>
            <numerusform>· %n other: %1</numerusform>
            <numerusform>· %n others: %1</numerusform>
        </translation>
    </message>
</context>
</TS>
