// Every keyboard shortcut of the console on one card (F1 shows and hides it): a mentor at a wall screen
// or with a stylus in hand should not have to guess.
import QtQuick

Rectangle {
    id: help
    property real unit: 16
    readonly property var keys: [
        ["F1", "show or hide this card"],
        ["Ctrl+1 … 9", "connect to OR site 1 … 9 (start screen)"],
        ["Ctrl+D", "disconnect"],
        ["F11", "full screen on / off"],
        ["L", "latency plot and per-stage breakdown"],
        ["P  A  C  T  O", "pen, arrow, circle, label (text), pointer"],
        ["1  2  3", "pen colour"],
        ["[  ]", "thinner / thicker line"],
        ["Ctrl+Z", "undo my last drawing"],
        ["Ctrl+Shift+X", "clear all my drawings"],
        ["Enter / Esc", "place / drop a label being typed"],
        ["Alt+1 … 9", "flag vitals row 1 … 9 for the surgeon (again: unflag)"],
        ["M", "mute / unmute my microphone"],
        ["Space (hold)", "talk while muted (push-to-talk); let go to mute again"],
        ["Ctrl+Q", "quit"]
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
        text: "Keyboard"
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
                text: entry[index % 2]
            }
        }
    }
}
