// Latency HUD, always visible over the video: glass-to-glass now, p95 over 10 s with its clock-sync
// uncertainty, the picture's age, and link figures; coloured by threshold. A click opens the latency panel.
import QtQuick
import SurgiLink.Console 1.0

Rectangle {
    id: hud
    required property MentorSession mentor
    property real unit: 16
    signal clicked()
    readonly property color stateColour: mentor.latencyColour === "green" ? "#2e7d32"
                                       : mentor.latencyColour === "amber" ? "#f9a825"
                                       : mentor.latencyColour === "red" ? "#c62828" : "#455a64"
    width: column.implicitWidth + unit
    height: column.implicitHeight + unit * 0.6
    radius: unit / 3
    color: "#cc0b0f14"
    border.color: stateColour
    border.width: Math.max(2, unit / 6)

    Column {
        id: column
        anchors.centerIn: parent
        spacing: unit * 0.15
        Text {
            objectName: "latencyNow"
            color: hud.stateColour === "#455a64" ? "white" : hud.stateColour
            font.pixelSize: hud.unit * 2
            font.bold: true
            text: mentor.hasLatency ? mentor.g2gMs.toFixed(0) + " ms" : "— ms"
        }
        Text {
            objectName: "latencyP95"
            color: "white"
            font.pixelSize: hud.unit
            text: mentor.hasLatency ? qsTr("p95 %1 ms ±%2 (10 s)").arg(mentor.p95Ms.toFixed(0)).arg(mentor.uncertaintyMs.toFixed(1))
                                    : qsTr("measuring…")
        }
        Text {
            color: "#cfd8dc"
            font.pixelSize: hud.unit * 0.9
            text: mentor.hasPicture ? qsTr("the picture is %1 ms old").arg(mentor.pictureAgeMs.toFixed(0)) : qsTr("no picture yet")
        }
        Text {
            color: "#cfd8dc"
            font.pixelSize: hud.unit * 0.8
            text: qsTr("%1 fps · %2 Mbit/s · loss %3 % · RTT %4 ms").arg(mentor.fps.toFixed(0))
                  .arg((mentor.bitrateKbps / 1000).toFixed(1)).arg(mentor.lossPct.toFixed(1)).arg(mentor.rttMs.toFixed(1))
        }
        Text {
            color: "#cfd8dc"
            font.pixelSize: hud.unit * 0.8
            visible: mentor.hasPicture
            // The jitter buffer sizes itself from the link (issue 15): the mentor sees what it waits for.
            text: qsTr("jitter %1 ms · a lost packet is waited for %2 ms").arg(mentor.linkJitterMs.toFixed(1)).arg(mentor.gapWaitMs.toFixed(0))
        }
        Text {
            color: "#cfd8dc"
            font.pixelSize: hud.unit * 0.8
            // Late frames on this link would freeze the picture: it is shown this much later, steadily.
            visible: mentor.hasPicture && mentor.playoutHoldMs >= 1
            text: qsTr("picture held %1 ms so late frames do not freeze it").arg(mentor.playoutHoldMs.toFixed(0))
        }
    }
    MouseArea { anchors.fill: parent; onClicked: hud.clicked() }
}
