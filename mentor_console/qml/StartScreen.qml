// The start screen: the configured OR sites, this console's certificate identity, connect; and the
// reason when the last attempt failed. Keys: Ctrl+N connects to site N, Tab and Enter pick one.
import QtQuick
import QtQuick.Controls
import SurgiLink.Console 1.0

Rectangle {
    id: startScreen
    required property MentorSession mentor
    property real unit: 16
    color: "#101418"
    Column {
        anchors.centerIn: parent
        spacing: unit
        width: unit * 30
        Text { color: "white"; font.pixelSize: unit * 2; font.bold: true; text: qsTr("SurgiLink mentor console") }
        Text { color: "#b0bec5"; font.pixelSize: unit; text: qsTr("Identity: %1").arg(mentor.identity) }
        Text {
            objectName: "lastError"
            width: parent.width; wrapMode: Text.Wrap
            color: "#ff8a80"; font.pixelSize: unit
            visible: mentor.state === ConnectionState.Refused && mentor.detail.length > 0
            text: mentor.detail
        }
        Repeater {
            model: mentor.sites
            Button {
                objectName: "connect_" + index
                width: parent.width; height: unit * 3
                font.pixelSize: unit * 1.2
                text: qsTr("Connect to %1").arg(modelData) + (index < 9 ? "   (Ctrl+" + (index + 1) + ")" : "")
                focus: index === 0
                // Hidden (a session is live), it keeps the keyboard focus: Enter or Space would click it and
                // start the session again. Disabled, it takes no keys; shown again, the first site has the keyboard.
                enabled: startScreen.visible
                onEnabledChanged: if (enabled && index === 0) forceActiveFocus()
                onClicked: mentor.connectTo(modelData)
                Keys.onReturnPressed: mentor.connectTo(modelData)
                Keys.onEnterPressed: mentor.connectTo(modelData)
                Shortcut {
                    sequence: "Ctrl+" + (index + 1)
                    enabled: index < 9 && startScreen.visible
                    onActivated: mentor.connectTo(modelData)
                }
            }
        }
        Text { color: "#78909c"; font.pixelSize: unit * 0.9; text: qsTr("F1: every keyboard shortcut") }
        Text {
            visible: mentor.sites.length === 0
            color: "#ff8a80"; font.pixelSize: unit
            text: qsTr("No OR sites in the configuration ([[site]] in configs/console.toml).")
        }
    }
}
