// The drawing tools (pen, arrow, circle, label, pointer, colour, undo, clear). Telestration itself arrives
// with the annotation issue: the strip keeps the chosen tool and colour, and says that drawing is not yet
// sent to the OR.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: strip
    property real unit: 16
    property string tool: "pen"
    property color penColour: "#ffeb3b"
    width: unit * 3.4
    color: "#161d22"
    Column {
        anchors { horizontalCenter: parent.horizontalCenter; top: parent.top; topMargin: unit * 0.5 }
        spacing: unit * 0.4
        Repeater {
            model: [["pen", "P"], ["arrow", "A"], ["circle", "C"], ["label", "T"], ["pointer", "O"]]
            Button {
                width: unit * 2.8; height: unit * 2.4
                text: modelData[1]
                font.pixelSize: unit
                checkable: true
                checked: strip.tool === modelData[0]
                onClicked: strip.tool = modelData[0]
                ToolTip.visible: hovered
                ToolTip.text: modelData[0] + " (" + modelData[1] + ") — drawing reaches the OR with telestration"
                Shortcut { sequence: modelData[1]; onActivated: strip.tool = modelData[0] }
            }
        }
        Repeater {
            model: ["#ffeb3b", "#00e5ff", "#76ff03"]
            Rectangle {
                width: unit * 2.8; height: unit * 1.2; radius: unit / 4
                color: modelData
                border.color: strip.penColour === modelData ? "white" : "transparent"
                border.width: 3
                MouseArea { anchors.fill: parent; onClicked: strip.penColour = modelData }
            }
        }
        Button { width: unit * 2.8; height: unit * 2.2; text: "↶"; font.pixelSize: unit; enabled: false
                 ToolTip.visible: hovered; ToolTip.text: "undo (Ctrl+Z) — with telestration" }
        Button { width: unit * 2.8; height: unit * 2.2; text: "✕"; font.pixelSize: unit; enabled: false
                 ToolTip.visible: hovered; ToolTip.text: "clear — with telestration" }
    }
}
