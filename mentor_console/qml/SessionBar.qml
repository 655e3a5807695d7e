// The session bar: OR site, case pseudonym, who is connected and who holds the pen, recording and consent
// state, and the connection state.
import QtQuick
import QtQuick.Layouts
import SurgiLink.Console 1.0

Rectangle {
    required property MentorSession mentor
    property real unit: 16
    height: unit * 2.2
    color: "#1c252c"
    RowLayout {
        anchors { fill: parent; leftMargin: unit * 0.6; rightMargin: unit * 0.6 }
        spacing: unit
        Text { color: "white"; font.pixelSize: unit * 1.1; font.bold: true; text: mentor.siteName }
        Text { color: "#b0bec5"; font.pixelSize: unit; text: mentor.casePseudonym.length ? qsTr("case %1").arg(mentor.casePseudonym) : "" }
        Text {
            objectName: "roster"
            color: "#b0bec5"; font.pixelSize: unit
            text: mentor.displayName.length ? qsTr("%1 (%2) · pen: %3").arg(mentor.displayName).arg(mentor.roleName)
                  .arg(mentor.penRevoked ? qsTr("taken back by the OR")
                     : mentor.mayDraw ? qsTr("you")
                     : mentor.penHolder.length ? mentor.penHolder : qsTr("nobody")) : ""
        }
        Text {
            objectName: "others"
            // Who else is here: the mentor must know whether the session is being watched.
            readonly property int others: Math.max(0, mentor.roster.length - 1)
            visible: others > 0
            color: "#b0bec5"; font.pixelSize: unit
            // The roster's entries are "name (role)" with the role in the window's language (MentorSession).
            text: qsTr("· %n other(s): %1", "", others)
                  .arg(mentor.roster.filter(function(n) { return n !== mentor.displayName + " (" + mentor.roleName + ")" }).join(", "))
            elide: Text.ElideRight
            Layout.maximumWidth: unit * 22
        }
        Text {
            objectName: "orHidden"
            visible: mentor.orAnnotationsHidden
            color: "#ffab40"; font.pixelSize: unit
            text: qsTr("annotations hidden on the OR")
        }
        Item { Layout.fillWidth: true }
        Text {
            objectName: "keysExported"
            // Every screen says so while it is on (issue 12): a file with these keys lets anyone watch.
            visible: mentor.keysExported
            color: "#ff5252"; font.pixelSize: unit; font.bold: true
            text: qsTr("MEDIA KEYS EXPORTED (test bench only)")
        }
        Text {
            objectName: "recordingState"
            // Recording is the OR's decision (consent first); the mentor must see that it is happening.
            readonly property bool known: mentor.state === ConnectionState.Connected
            color: mentor.recording ? "#ff5252" : "#b0bec5"
            font.pixelSize: unit
            font.bold: mentor.recording
            text: !known ? "" : (mentor.recording ? qsTr("● REC") : qsTr("not recording"))
                  + " · " + (mentor.consentRecorded ? qsTr("consent recorded") : qsTr("consent not recorded"))
        }
        Rectangle {
            radius: unit / 3
            objectName: "linkState"
            color: mentor.state !== ConnectionState.Connected || mentor.linkLost ? "#c62828"
                   : mentor.linkDegraded ? "#ef6c00" : "#2e7d32"
            implicitWidth: stateText.implicitWidth + unit
            implicitHeight: stateText.implicitHeight + unit * 0.3
            Text {
                id: stateText
                anchors.centerIn: parent
                color: "white"
                font.pixelSize: unit
                text: mentor.state === ConnectionState.Connected && !mentor.linkLost && mentor.linkDegraded
                      ? qsTr("Degraded") : mentor.stateName
            }
        }
    }
}
