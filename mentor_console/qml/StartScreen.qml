// The start screen: the configured OR sites, this console's certificate identity, connect; and the
// reason when the last attempt failed.
import QtQuick
import QtQuick.Controls

Rectangle {
    property real unit: 16
    color: "#101418"
    Column {
        anchors.centerIn: parent
        spacing: unit
        width: unit * 30
        Text { color: "white"; font.pixelSize: unit * 2; font.bold: true; text: "SurgiLink mentor console" }
        Text { color: "#b0bec5"; font.pixelSize: unit; text: "Identity: " + mentor.identity }
        Text {
            objectName: "lastError"
            width: parent.width; wrapMode: Text.Wrap
            color: "#ff8a80"; font.pixelSize: unit
            visible: mentor.state === "refused" && mentor.detail.length > 0
            text: mentor.detail
        }
        Repeater {
            model: mentor.sites
            Button {
                width: parent.width; height: unit * 3
                font.pixelSize: unit * 1.2
                text: "Connect to " + modelData
                onClicked: mentor.connectTo(modelData)
            }
        }
        Text {
            visible: mentor.sites.length === 0
            color: "#ff8a80"; font.pixelSize: unit
            text: "No OR sites in the configuration ([[site]] in configs/console.toml)."
        }
    }
}
