// The mentor console window: start screen until connected, then the live operative field with the HUD,
// the session bar, the drawing-tools strip and the vitals panel around it.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import SurgiLink.Console 1.0

ApplicationWindow {
    id: root
    width: 1600
    height: 900
    visible: true
    title: mentor.siteName.length > 0 ? "SurgiLink — " + mentor.siteName : "SurgiLink mentor console"
    color: "#101418"

    // Readable at 2 m on a wall screen: every size derives from this unit, scaled with the window.
    readonly property real unit: Math.max(14, Math.min(width / 80, height / 45))
    readonly property bool live: mentor.state !== "idle" && mentor.state !== "refused"

    Shortcut { sequence: "F11"; onActivated: root.visibility === Window.FullScreen ? root.showNormal() : root.showFullScreen() }
    Shortcut { sequence: "Ctrl+D"; onActivated: mentor.disconnectFromSite() }
    Shortcut { sequence: "L"; onActivated: latencyPanel.visible = !latencyPanel.visible }
    Shortcut { sequence: "Ctrl+Q"; onActivated: root.close() }

    StartScreen {
        id: startScreen
        anchors.fill: parent
        visible: !root.live
        unit: root.unit
    }

    Item {
        id: liveView
        anchors.fill: parent
        visible: root.live

        SessionBar {
            id: sessionBar
            anchors { left: parent.left; right: parent.right; top: parent.top }
            unit: root.unit
        }

        ToolStrip {
            id: toolStrip
            objectName: "toolStrip"
            anchors { left: parent.left; top: sessionBar.bottom; bottom: parent.bottom }
            unit: root.unit
        }

        VitalsPanel {
            id: vitalsPanel
            objectName: "vitalsPanel"
            vitals: mentor.vitals
            anchors { right: parent.right; top: sessionBar.bottom; bottom: parent.bottom }
            unit: root.unit
        }

        OperativeFieldView {
            id: field
            objectName: "operativeField"
            session: mentor
            anchors { left: toolStrip.right; right: vitalsPanel.left; top: sessionBar.bottom; bottom: parent.bottom }
        }

        Hud {
            id: hud
            objectName: "hud"
            // Bottom right of the picture: out of the way of the field's centre and of the top edge.
            x: field.x + field.videoRect.x + field.videoRect.width - width - root.unit * 0.5
            y: field.y + field.videoRect.y + field.videoRect.height - height - root.unit * 0.5
            unit: root.unit
            onClicked: latencyPanel.visible = !latencyPanel.visible
        }

        LatencyPanel {
            id: latencyPanel
            visible: false
            anchors { right: hud.right; bottom: hud.top; bottomMargin: root.unit * 0.5 }
            unit: root.unit
        }

        // "Link lost": the picture may be old; say so over it, never silently freeze.
        Rectangle {
            objectName: "linkBanner"
            visible: mentor.linkLost || mentor.state === "reconnecting"
            anchors { horizontalCenter: field.horizontalCenter; verticalCenter: field.verticalCenter }
            width: bannerText.implicitWidth + root.unit * 2
            height: bannerText.implicitHeight + root.unit
            radius: root.unit / 3
            color: "#c62828"
            Text {
                id: bannerText
                anchors.centerIn: parent
                color: "white"
                font.pixelSize: root.unit * 1.3
                font.bold: true
                text: mentor.state === "reconnecting" ? "Link lost — reconnecting (" + mentor.reconnectAttempt + ")"
                                                      : "Link lost — picture is " + (mentor.pictureAgeMs / 1000).toFixed(1) + " s old"
            }
        }
    }
}
