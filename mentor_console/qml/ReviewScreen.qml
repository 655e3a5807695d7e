// The review screen (issue 16): a recorded case replayed — the picture as recorded with the annotation scene
// the OR had drawn over it, the vitals of that moment, the timeline with markers and the latency/link strip,
// and the trainer's bookmarks. Keys: Space plays and pauses, Left/Right step one frame, [ and ] change the
// speed, Home and End go to the start and the end, V turns the recorded voice on and off, B adds a bookmark,
// Ctrl+W closes the recording.
import QtQuick
import QtQuick.Controls
import SurgiLink.Console 1.0

Rectangle {
    id: screen
    required property CaseReview review
    property real unit: 16
    color: "#101418"

    function timeText(ms) {
        var tenths = Math.round(Math.max(0, ms) / 100)
        var minutes = Math.floor(tenths / 600)
        var seconds = (tenths - minutes * 600) / 10
        return minutes + ":" + (seconds < 10 ? "0" : "") + seconds.toFixed(1)
    }

    // Shortcuts act unless the comment field has the keyboard (it takes Space and the arrows while typing).
    Shortcut { sequence: "Space"; onActivated: review.togglePlay() }
    Shortcut { sequence: "Left"; onActivated: review.stepFrame(-1) }
    Shortcut { sequence: "Right"; onActivated: review.stepFrame(1) }
    Shortcut { sequence: "["; onActivated: review.slower() }
    Shortcut { sequence: "]"; onActivated: review.faster() }
    Shortcut { sequence: "Home"; onActivated: review.seek(0) }
    Shortcut { sequence: "End"; onActivated: review.seek(review.durationMs) }
    Shortcut { sequence: "V"; onActivated: review.toggleVoice() }
    Shortcut { sequence: "B"; onActivated: commentField.forceActiveFocus() }
    Shortcut { sequence: "Ctrl+W"; onActivated: review.close() }

    Rectangle {
        id: bar
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: screen.unit * 2.6
        color: "#1c252b"
        Button {
            id: backButton
            objectName: "reviewBack"
            anchors { left: parent.left; verticalCenter: parent.verticalCenter; leftMargin: screen.unit * 0.4 }
            font.pixelSize: screen.unit * 0.9
            text: qsTr("Close recording (Ctrl+W)")
            focusPolicy: Qt.NoFocus
            onClicked: review.close()
        }
        Column {
            anchors { left: backButton.right; right: parent.right; verticalCenter: parent.verticalCenter; leftMargin: screen.unit }
            Text {
                objectName: "reviewTitle"
                width: parent.width
                elide: Text.ElideRight
                color: "white"
                font.pixelSize: screen.unit * 1.1
                font.bold: true
                text: qsTr("Review: %1").arg(review.title)
            }
            Text {
                objectName: "reviewProblems"
                width: parent.width
                visible: review.problems.length > 0
                elide: Text.ElideRight
                color: "#ffab40"
                font.pixelSize: screen.unit * 0.75
                text: review.problems
            }
        }
    }

    // Bookmarks and the marker filter.
    Rectangle {
        id: side
        anchors { left: parent.left; top: bar.bottom; bottom: controls.top }
        width: screen.unit * 15
        color: "#161d22"
        Column {
            id: sideTop
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: screen.unit * 0.5 }
            spacing: screen.unit * 0.3
            Text { color: "white"; font.pixelSize: screen.unit; font.bold: true; text: qsTr("Markers") }
            Flow {
                width: parent.width
                spacing: screen.unit * 0.25
                Repeater {
                    model: [["", qsTr("all")], ["annotation", qsTr("annotations")], ["alarm", qsTr("alarms")],
                            ["pen", qsTr("pen")], ["or", qsTr("OR commands")], ["link", qsTr("link losses")]]
                    Button {
                        objectName: "markerFilter_" + (modelData[0] === "" ? "all" : modelData[0])
                        font.pixelSize: screen.unit * 0.7
                        checkable: true
                        checked: timeline.markerKind === modelData[0]
                        focusPolicy: Qt.NoFocus
                        text: modelData[1]
                        onClicked: timeline.markerKind = modelData[0]
                    }
                }
            }
            Text { color: "white"; font.pixelSize: screen.unit; font.bold: true; text: qsTr("Bookmarks") }
            TextField {
                id: commentField
                objectName: "bookmarkComment"
                width: parent.width
                font.pixelSize: screen.unit * 0.8
                placeholderText: qsTr("comment, then Enter")
                onAccepted: {
                    if (review.addBookmark(text)) text = ""
                    focus = false
                }
                Keys.onEscapePressed: focus = false
            }
            Button {
                objectName: "addBookmark"
                width: parent.width
                font.pixelSize: screen.unit * 0.8
                focusPolicy: Qt.NoFocus
                text: qsTr("Add bookmark at %1 (B)").arg(screen.timeText(review.positionMs))
                onClicked: if (review.addBookmark(commentField.text)) commentField.text = ""
            }
        }
        ListView {
            objectName: "bookmarkList"
            anchors { left: parent.left; right: parent.right; top: sideTop.bottom; bottom: parent.bottom; margins: screen.unit * 0.5 }
            clip: true
            spacing: screen.unit * 0.2
            model: review.bookmarks
            delegate: Rectangle {
                objectName: "bookmark_" + index
                width: ListView.view.width
                height: bookmarkText.implicitHeight + screen.unit * 0.4
                radius: screen.unit * 0.2
                color: bookmarkArea.containsMouse ? "#37474f" : "#263238"
                Text {
                    id: bookmarkText
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: screen.unit * 0.3 }
                    wrapMode: Text.Wrap
                    color: "white"
                    font.pixelSize: screen.unit * 0.75
                    text: "<b>" + screen.timeText(modelData.offsetMs) + "</b>  " + modelData.comment
                          + (modelData.by.length > 0 ? "  <i>— " + modelData.by + "</i>" : "")
                    textFormat: Text.StyledText
                }
                MouseArea {
                    id: bookmarkArea
                    anchors.fill: parent
                    hoverEnabled: true
                    onClicked: review.seek(modelData.offsetMs)
                }
            }
        }
    }

    VitalsPanel {
        id: vitalsPanel
        objectName: "reviewVitalsPanel"
        vitals: review.vitals
        anchors { right: parent.right; top: bar.bottom; bottom: controls.top }
        unit: screen.unit
    }

    OperativeFieldView {
        id: field
        objectName: "reviewField"
        feed: review.feed
        anchors { left: side.right; right: vitalsPanel.left; top: bar.bottom; bottom: controls.top }
    }

    ReviewedAnnotations {
        objectName: "reviewAnnotations"
        anchors.fill: field
        review: screen.review
        videoRect: field.videoRect
    }

    // The mentor's link and latency at that moment, over the top right of the picture.
    Rectangle {
        objectName: "reviewLink"
        anchors { right: field.right; top: field.top; margins: screen.unit * 0.5 }
        width: linkColumn.implicitWidth + screen.unit
        height: linkColumn.implicitHeight + screen.unit * 0.5
        radius: screen.unit * 0.2
        color: review.linkState === "lost" ? "#c62828" : "#cc101418"
        Column {
            id: linkColumn
            anchors.centerIn: parent
            Text { color: "white"; font.pixelSize: screen.unit * 0.8; font.bold: true; text: review.linkText }
            Text { color: "#b0bec5"; font.pixelSize: screen.unit * 0.7; text: review.mentorLatency }
        }
    }
    Rectangle {
        objectName: "reviewHidden"
        visible: review.annotationsHidden
        anchors { horizontalCenter: field.horizontalCenter; top: field.top; topMargin: screen.unit * 0.5 }
        width: hiddenText.implicitWidth + screen.unit
        height: hiddenText.implicitHeight + screen.unit * 0.5
        radius: screen.unit * 0.2
        color: "#e65100"
        Text {
            id: hiddenText
            anchors.centerIn: parent
            color: "white"
            font.pixelSize: screen.unit * 0.8
            text: qsTr("The surgeon had hidden the annotations on the OR screen")
        }
    }

    Column {
        id: controls
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: screen.unit * 0.5 }
        spacing: screen.unit * 0.3
        Row {
            spacing: screen.unit * 0.4
            Button {
                objectName: "stepBack"
                font.pixelSize: screen.unit * 0.9
                focusPolicy: Qt.NoFocus
                text: qsTr("◀ Frame (Left)")
                onClicked: review.stepFrame(-1)
            }
            Button {
                objectName: "playPause"
                width: screen.unit * 9
                font.pixelSize: screen.unit * 0.9
                font.bold: true
                focusPolicy: Qt.NoFocus
                text: review.playing ? qsTr("Pause (Space)") : qsTr("Play (Space)")
                onClicked: review.togglePlay()
            }
            Button {
                objectName: "stepForward"
                font.pixelSize: screen.unit * 0.9
                focusPolicy: Qt.NoFocus
                text: qsTr("Frame ▶ (Right)")
                onClicked: review.stepFrame(1)
            }
            Button {
                objectName: "slower"
                font.pixelSize: screen.unit * 0.9
                focusPolicy: Qt.NoFocus
                text: qsTr("Slower ([)")
                onClicked: review.slower()
            }
            Text {
                objectName: "speed"
                anchors.verticalCenter: parent.verticalCenter
                width: screen.unit * 3
                horizontalAlignment: Text.AlignHCenter
                color: "white"
                font.pixelSize: screen.unit
                font.bold: true
                text: review.speed + "×"
            }
            Button {
                objectName: "faster"
                font.pixelSize: screen.unit * 0.9
                focusPolicy: Qt.NoFocus
                text: qsTr("Faster (])")
                onClicked: review.faster()
            }
            Text {
                objectName: "reviewTime"
                anchors.verticalCenter: parent.verticalCenter
                color: "white"
                font.pixelSize: screen.unit
                text: screen.timeText(review.positionMs) + " / " + screen.timeText(review.durationMs)
            }
            Button {
                objectName: "voiceToggle"
                font.pixelSize: screen.unit * 0.9
                focusPolicy: Qt.NoFocus
                enabled: review.voiceRecorded
                checkable: true
                checked: review.voiceOn && review.voiceRecorded
                text: review.voiceOn ? qsTr("Voice on (V)") : qsTr("Voice off (V)")
                onClicked: review.toggleVoice()
            }
            Text {
                objectName: "voiceState"
                anchors.verticalCenter: parent.verticalCenter
                color: review.voiceRecorded && review.voiceOn && review.speed === 1 ? "#a5d6a7" : "#ffcc80"
                font.pixelSize: screen.unit * 0.75
                text: review.voiceText
            }
            Text {
                anchors.verticalCenter: parent.verticalCenter
                color: "#90a4ae"
                font.pixelSize: screen.unit * 0.75
                text: qsTr("annotations on screen: %1").arg(review.annotationCount)
            }
        }
        ReviewTimeline {
            id: timeline
            objectName: "reviewTimeline"
            width: parent.width
            unit: screen.unit
            review: screen.review
        }
    }
}
