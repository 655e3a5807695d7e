// The drawing tools: pen, arrow, circle, label and pointer, three colours, three widths, undo and clear mine.
// What is drawn goes to the OR at once (the sender composites it on the surgeon's display).
import QtQuick
import QtQuick.Controls
import SurgiLink.Console 1.0

Rectangle {
    id: strip
    property real unit: 16
    property int tool: AnnotationCanvas.Pen
    property color penColour: "#ffeb3b"
    // Line width as a fraction of the picture's height (about 4, 8 and 16 px at 1080p).
    property real penWidth: 0.004
    // The session lets this console draw, and it has something of its own to undo or clear.
    property bool mayDraw: false
    property bool canUndo: false
    signal undoRequested()
    signal clearRequested()

    readonly property var colours: [["#ffeb3b", "yellow"], ["#00e5ff", "cyan"], ["#76ff03", "green"]]
    readonly property var widths: [[0.002, "thin"], [0.004, "medium"], [0.008, "thick"]]

    width: unit * 3.4
    color: "#161d22"
    Column {
        anchors { horizontalCenter: parent.horizontalCenter; top: parent.top; topMargin: unit * 0.5 }
        spacing: unit * 0.4
        Repeater {
            // The tool, its name, its key.
            // The name is also the button's objectName (tests), so it is marked here and translated in the tip.
            model: [[AnnotationCanvas.Pen, QT_TR_NOOP("pen"), "P"], [AnnotationCanvas.Arrow, QT_TR_NOOP("arrow"), "A"],
                    [AnnotationCanvas.Circle, QT_TR_NOOP("circle"), "C"], [AnnotationCanvas.Label, QT_TR_NOOP("label"), "T"],
                    [AnnotationCanvas.Pointer, QT_TR_NOOP("pointer"), "O"]]
            Button {
                objectName: "tool_" + modelData[1]
                width: unit * 2.8; height: unit * 2.4
                text: modelData[2]
                font.pixelSize: unit
                checkable: true
                checked: strip.tool === modelData[0]
                enabled: strip.mayDraw
                onClicked: strip.tool = modelData[0]
                ToolTip.visible: hovered
                ToolTip.text: qsTr("%1 (%2)").arg(qsTr(modelData[1])).arg(modelData[2])
                Shortcut { sequence: modelData[2]; onActivated: strip.tool = modelData[0] }
            }
        }
        Repeater {
            model: strip.colours
            Rectangle {
                objectName: "colour_" + modelData[1]
                width: unit * 2.8; height: unit * 1.2; radius: unit / 4
                color: modelData[0]
                border.color: Qt.colorEqual(strip.penColour, modelData[0]) ? "white" : "transparent"
                border.width: 3
                MouseArea { anchors.fill: parent; onClicked: strip.penColour = modelData[0] }
                Shortcut { sequence: String(index + 1); onActivated: strip.penColour = modelData[0] }
            }
        }
        Repeater {
            model: strip.widths
            Rectangle {
                objectName: "width_" + modelData[1]
                width: unit * 2.8; height: unit * 1.2; radius: unit / 4
                color: "#24303a"
                border.color: strip.penWidth === modelData[0] ? "white" : "transparent"
                border.width: 2
                // A bar as thick as the line it draws (relative to the strip, not to the picture).
                Rectangle {
                    anchors.centerIn: parent
                    width: parent.width * 0.7
                    height: Math.max(2, unit * modelData[0] * 60)
                    radius: height / 2
                    color: strip.penColour
                }
                MouseArea { anchors.fill: parent; onClicked: strip.penWidth = modelData[0] }
            }
        }
        // Only while the live window shows: the review screen takes [ and ] for its speed.
        Shortcut {
            sequence: "["
            enabled: strip.visible
            onActivated: strip.penWidth = strip.widths[Math.max(0, strip.widthIndex() - 1)][0]
        }
        Shortcut {
            sequence: "]"
            enabled: strip.visible
            onActivated: strip.penWidth = strip.widths[Math.min(strip.widths.length - 1, strip.widthIndex() + 1)][0]
        }
        Button {
            objectName: "undoButton"
            width: unit * 2.8; height: unit * 2.2; text: "↶"; font.pixelSize: unit
            enabled: strip.mayDraw && strip.canUndo
            onClicked: strip.undoRequested()
            ToolTip.visible: hovered; ToolTip.text: qsTr("undo my last drawing (Ctrl+Z)")
            Shortcut { sequence: "Ctrl+Z"; enabled: strip.mayDraw && strip.canUndo; onActivated: strip.undoRequested() }
        }
        Button {
            objectName: "clearButton"
            width: unit * 2.8; height: unit * 2.2; text: "✕"; font.pixelSize: unit
            enabled: strip.mayDraw && strip.canUndo
            onClicked: strip.clearRequested()
            ToolTip.visible: hovered; ToolTip.text: qsTr("clear mine: remove all my drawings (Ctrl+Shift+X)")
            Shortcut { sequence: "Ctrl+Shift+X"; enabled: strip.mayDraw && strip.canUndo; onActivated: strip.clearRequested() }
        }
    }

    function widthIndex() {
        for (var i = 0; i < widths.length; ++i) {
            if (widths[i][0] === penWidth) return i
        }
        return 1
    }
}
