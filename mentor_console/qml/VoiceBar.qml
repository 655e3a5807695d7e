// The voice bar under the picture: the mentor's mute button, hold-to-talk, the level of their own microphone,
// whether the OR is speaking, and in plain words why there is no sound. Observers listen only.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SurgiLink.Console 1.0

Rectangle {
    id: bar
    required property MentorSession mentor
    property real unit: 16
    readonly property MentorVoice voice: mentor.voice
    // This console may speak: admitted as a mentor, and its microphone opened.
    readonly property bool canSpeak: mentor.role === Role.Mentor && voice.hasMicrophone
    // The hold-to-talk button is held down (Main.qml joins it with the Space key).
    readonly property bool talkButtonHeld: talkButton.pressed
    height: unit * 3.2
    color: "#161d22"

    // Plain words for what is missing; the session's own text follows in smaller type.
    function soundHeadline() {
        const noSpeaker = !voice.hasSpeaker
        const noMicrophone = mentor.role === Role.Mentor && !voice.hasMicrophone
        if (noSpeaker && noMicrophone)
            return qsTr("No sound device: you do not hear the OR, and the OR does not hear you")
        if (noSpeaker) return qsTr("No speaker: you do not hear the OR")
        if (noMicrophone) return qsTr("No microphone: the OR does not hear you")
        return qsTr("Sound problem")
    }

    RowLayout {
        anchors { fill: parent; leftMargin: bar.unit * 0.5; rightMargin: bar.unit * 0.5 }
        spacing: bar.unit * 0.6

        // Mute: the largest control here; its state in colour and in words, never in colour alone.
        Button {
            id: muteButton
            objectName: "muteButton"
            visible: bar.canSpeak
            focusPolicy: Qt.NoFocus
            Layout.preferredWidth: bar.unit * 10
            Layout.preferredHeight: bar.unit * 2.6
            onClicked: bar.voice.muted = !bar.voice.muted
            // What the button says now, also for the tests: "MUTED", "MIC ON" or "TALKING".
            readonly property string says: bar.voice.live ? (bar.voice.muted ? "TALKING" : "MIC ON") : "MUTED"
            background: Rectangle {
                radius: bar.unit / 4
                color: bar.voice.live ? "#2e7d32" : "#c62828"
                border.color: muteButton.down ? "white" : "transparent"
                border.width: 2
            }
            contentItem: Column {
                Text {
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    color: "white"
                    font.pixelSize: bar.unit * 1.2
                    font.bold: true
                    text: muteButton.says === "TALKING" ? qsTr("TALKING") : muteButton.says === "MIC ON" ? qsTr("MIC ON") : qsTr("MUTED")
                }
                Text {
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    color: "#eceff1"
                    font.pixelSize: bar.unit * 0.7
                    elide: Text.ElideRight
                    text: muteButton.says === "TALKING" ? qsTr("the OR hears you · let go: muted")
                          : muteButton.says === "MIC ON" ? qsTr("the OR hears you · M: mute") : qsTr("click or M: unmute")
                }
            }
        }

        // Push-to-talk: open while held, muted again when let go (the Space key does the same).
        Button {
            id: talkButton
            objectName: "talkButton"
            visible: bar.canSpeak
            enabled: bar.voice.muted
            focusPolicy: Qt.NoFocus
            Layout.preferredWidth: bar.unit * 7.5
            Layout.preferredHeight: bar.unit * 2.6
            background: Rectangle {
                radius: bar.unit / 4
                color: bar.voice.talking ? "#2e7d32" : "#24303a"
                border.color: "#546e7a"
                border.width: 1
                opacity: talkButton.enabled ? 1.0 : 0.4
            }
            contentItem: Column {
                Text {
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    color: "white"
                    font.pixelSize: bar.unit
                    font.bold: true
                    text: qsTr("Hold to talk")
                }
                Text {
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    color: "#cfd8dc"
                    font.pixelSize: bar.unit * 0.7
                    text: qsTr("or hold Space")
                }
            }
        }

        // The mentor's own microphone, before muting: it moves while they speak, muted or not (grey when the
        // OR does not hear it). The tick marks where speech starts to count.
        Column {
            visible: bar.canSpeak
            spacing: bar.unit * 0.15
            Text { color: "#b0bec5"; font.pixelSize: bar.unit * 0.7; text: qsTr("my microphone") }
            Rectangle {
                id: meter
                objectName: "levelMeter"
                readonly property real level: bar.voice.levelDbfs
                // -60 dBFS (empty) to 0 dBFS (full).
                readonly property real fraction: Math.max(0, Math.min(1, (level + 60) / 60))
                width: bar.unit * 10
                height: bar.unit * 0.9
                radius: bar.unit * 0.15
                color: "#0b0f14"
                border.color: "#546e7a"
                Rectangle {
                    objectName: "levelFill"
                    anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 2 }
                    width: Math.max(0, (meter.width - 4) * meter.fraction)
                    radius: bar.unit * 0.1
                    color: !bar.voice.live ? "#78909c" : meter.level > -6 ? "#ff5252" : meter.level > -18 ? "#ffd54f" : "#76ff03"
                }
                Rectangle {
                    x: meter.width * (bar.voice.speakingDbfs + 60) / 60
                    width: 2
                    height: meter.height
                    color: "#eceff1"
                    opacity: 0.5
                }
            }
        }

        Text {
            objectName: "listeningOnly"
            visible: bar.mentor.role === Role.Observer
            color: "#b0bec5"
            font.pixelSize: bar.unit
            text: qsTr("Listening only: observers are not heard")
        }

        Text {
            objectName: "noMicrophoneConfigured"
            visible: bar.mentor.role === Role.Mentor && bar.mentor.state === ConnectionState.Connected
                     && !bar.voice.hasMicrophone && bar.voice.problem.length === 0
            color: "#b0bec5"
            font.pixelSize: bar.unit
            text: qsTr("No microphone configured: listening only")
        }

        ColumnLayout {
            objectName: "voiceProblem"
            visible: bar.voice.problem.length > 0
            Layout.fillWidth: true
            spacing: 0
            Text {
                objectName: "voiceProblemHeadline"
                Layout.fillWidth: true
                elide: Text.ElideRight
                color: "#ffab40"
                font.pixelSize: bar.unit
                font.bold: true
                text: bar.soundHeadline()
            }
            Text {
                Layout.fillWidth: true
                elide: Text.ElideRight
                color: "#b0bec5"
                font.pixelSize: bar.unit * 0.7
                text: qsTr("The picture, drawing and vitals go on.  (%1)").arg(bar.voice.problem)
            }
        }

        Item { Layout.fillWidth: true; visible: !bar.voice.problem.length }

        // Someone is speaking in the OR (what this console's speaker plays is louder than a quiet room); held
        // for a moment so that it does not flicker between words.
        Rectangle {
            id: orSpeaking
            objectName: "orSpeaking"
            readonly property bool lit: orSpeakingHold.running
            Layout.preferredWidth: orSpeakingText.implicitWidth + bar.unit
            Layout.preferredHeight: bar.unit * 1.8
            radius: bar.unit / 4
            color: lit ? "#1565c0" : "#24303a"
            Text {
                id: orSpeakingText
                anchors.centerIn: parent
                color: orSpeaking.lit ? "white" : "#78909c"
                font.pixelSize: bar.unit
                font.bold: orSpeaking.lit
                text: !bar.voice.hasSpeaker ? qsTr("OR not heard") : orSpeaking.lit ? qsTr("OR SPEAKING") : qsTr("OR quiet")
            }
            Timer { id: orSpeakingHold; interval: 600 }
            Connections {
                target: bar.voice
                function onStatusChanged() {
                    if (bar.voice.orSpeaking) orSpeakingHold.restart()
                }
            }
        }
    }
}
