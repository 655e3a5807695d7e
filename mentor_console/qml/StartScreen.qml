// The start screen: the configured OR sites, this console's certificate identity, connect; and the
// reason when the last attempt failed. Keys: Ctrl+N connects to site N, Tab and Enter pick one.
import QtQuick
import QtQuick.Controls
import SurgiLink.Console 1.0

Rectangle {
    id: startScreen
    required property MentorSession mentor
    // The review mode: its recordings are listed here (none without it).
    property CaseReview review: null
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
        // Pre-flight: 10 s of probes against the first site's sender before a case; the verdict in words.
        Button {
            objectName: "checkLink"
            visible: mentor.sites.length > 0
            width: parent.width; height: unit * 2.4
            font.pixelSize: unit
            enabled: startScreen.visible && !mentor.checkingLink
            text: mentor.checkingLink ? qsTr("Checking the link…") : qsTr("Check link to %1").arg(mentor.sites[0] || "")
            onClicked: mentor.checkLink(mentor.sites[0])
        }
        Text {
            objectName: "linkCheck"
            visible: mentor.linkCheck.length > 0
            width: parent.width; wrapMode: Text.Wrap
            font.pixelSize: unit * 0.9
            color: mentor.checkingLink ? "#b0bec5" : mentor.linkVerdict === "" || mentor.linkVerdict === "none" ? "#ff8a80" : "#a5d6a7"
            text: mentor.linkCheck
        }
        Text { color: "#78909c"; font.pixelSize: unit * 0.9; text: qsTr("F1: every keyboard shortcut") }
        Text {
            visible: mentor.sites.length === 0
            color: "#ff8a80"; font.pixelSize: unit
            text: qsTr("No OR sites in the configuration ([[site]] in configs/console.toml).")
        }
        // Recorded cases to review, newest first; a click opens one.
        Text {
            visible: startScreen.review !== null
            color: "white"; font.pixelSize: unit * 1.3; font.bold: true
            text: qsTr("Recordings")
        }
        Text {
            objectName: "recordingsProblem"
            visible: startScreen.review !== null && (startScreen.review.recordings.length === 0 || startScreen.review.problems.length > 0)
            width: parent.width; wrapMode: Text.Wrap
            color: startScreen.review && startScreen.review.problems.length > 0 ? "#ff8a80" : "#b0bec5"
            font.pixelSize: unit * 0.9
            text: !startScreen.review ? "" : startScreen.review.problems.length > 0 ? startScreen.review.problems
                  : qsTr("No recordings in %1").arg(startScreen.review.library)
        }
        ListView {
            objectName: "recordingsList"
            visible: startScreen.review !== null
            width: parent.width
            height: Math.min(contentHeight, unit * 14)
            clip: true
            spacing: unit * 0.25
            model: startScreen.review ? startScreen.review.recordings : []
            delegate: Rectangle {
                objectName: "recording_" + index
                width: ListView.view.width
                height: unit * 2.6
                radius: unit * 0.2
                color: recordingArea.containsMouse ? "#37474f" : "#263238"
                Column {
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: unit * 0.5 }
                    Text { width: parent.width; elide: Text.ElideRight; color: "white"; font.pixelSize: unit * 0.9; text: modelData.name }
                    Text { width: parent.width; elide: Text.ElideRight; color: "#90a4ae"; font.pixelSize: unit * 0.7; text: modelData.detail }
                }
                MouseArea {
                    id: recordingArea
                    anchors.fill: parent
                    hoverEnabled: true
                    enabled: startScreen.visible
                    onClicked: startScreen.review.open(modelData.path)
                }
            }
        }
    }
    onVisibleChanged: if (visible && review) review.refreshRecordings()
    Component.onCompleted: if (review) review.refreshRecordings()
}
