// Every keyboard shortcut of the console on one card (F1 shows and hides it): a mentor at a wall screen
// or with a stylus in hand should not have to guess.
import QtQuick

Rectangle {
    id: help
    property real unit: 16
    readonly property var keys: [
        ["F1", QT_TR_NOOP("show or hide this card")],
        ["Ctrl+1 … 9", QT_TR_NOOP("connect to OR site 1 … 9 (start screen)")],
        ["Ctrl+D", QT_TR_NOOP("disconnect")],
        ["F11", QT_TR_NOOP("full screen on / off")],
        ["L", QT_TR_NOOP("latency plot and per-stage breakdown")],
        ["P  A  C  T  O", QT_TR_NOOP("pen, arrow, circle, label (text), pointer")],
        ["1  2  3", QT_TR_NOOP("pen colour")],
        ["[  ]", QT_TR_NOOP("thinner / thicker line")],
        ["Ctrl+Z", QT_TR_NOOP("undo my last drawing")],
        ["Ctrl+Shift+X", QT_TR_NOOP("clear all my drawings")],
        ["Enter / Esc", QT_TR_NOOP("place / drop a label being typed")],
        ["Alt+1 … 9", QT_TR_NOOP("flag vitals row 1 … 9 for the surgeon (again: unflag)")],
        ["M", QT_TR_NOOP("mute / unmute my microphone")],
        [QT_TR_NOOP("Space (hold)"), QT_TR_NOOP("talk while muted (push-to-talk); let go to mute again")],
        ["Ctrl+Q", QT_TR_NOOP("quit")]
    ]
    width: grid.implicitWidth + unit * 2
    height: title.implicitHeight + grid.implicitHeight + unit * 2.5
    radius: unit / 2
    color: "#e6101418"
    border.color: "#546e7a"
    Text {
        id: title
        x: help.unit; y: help.unit * 0.8
        color: "white"; font.pixelSize: help.unit * 1.2; font.bold: true
        text: qsTr("Keyboard")
    }
    Grid {
        id: grid
        anchors { left: parent.left; top: title.bottom; leftMargin: help.unit; topMargin: help.unit * 0.5 }
        columns: 2
        columnSpacing: help.unit
        rowSpacing: help.unit * 0.3
        Repeater {
            model: help.keys.length * 2
            Text {
                readonly property var entry: help.keys[Math.floor(index / 2)]
                color: index % 2 === 0 ? "#ffd54f" : "#eceff1"
                font.pixelSize: help.unit
                font.bold: index % 2 === 0
                // Marked with QT_TR_NOOP above; translated here, where the card is shown.
                text: qsTr(entry[index % 2])
            }
        }
    }
}
