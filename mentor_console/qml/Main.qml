// The mentor console window: start screen until connected, then the live operative field with the HUD,
// the session bar, the drawing-tools strip, the vitals panel and the voice bar around it.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import SurgiLink.Console 1.0

ApplicationWindow {
    id: root
    // The session this window shows and steers (the program sets it: QQmlApplicationEngine's initial
    // properties); handed on to the parts that need it.
    required property MentorSession mentor
    // The review mode (the program sets it; tests of the live window may leave it out).
    property CaseReview review: null
    readonly property bool reviewing: review !== null && review.opened
    width: 1600
    height: 900
    visible: true
    title: reviewing ? qsTr("SurgiLink review — %1").arg(review.title)
         : mentor.siteName.length > 0 ? qsTr("SurgiLink — %1").arg(mentor.siteName) : qsTr("SurgiLink mentor console")
    color: "#101418"

    // Readable at 2 m on a wall screen: every size derives from this unit, scaled with the window.
    readonly property real unit: Math.max(14, Math.min(width / 80, height / 45))
    readonly property bool live: mentor.state !== ConnectionState.Idle && mentor.state !== ConnectionState.Refused

    Shortcut { sequence: "F11"; onActivated: root.visibility === Window.FullScreen ? root.showNormal() : root.showFullScreen() }
    Shortcut { sequence: "Ctrl+D"; onActivated: mentor.disconnectFromSite() }
    Shortcut { sequence: "L"; onActivated: latencyPanel.visible = !latencyPanel.visible }
    Shortcut { sequence: "Ctrl+Q"; onActivated: root.close() }
    Shortcut { sequence: "F1"; onActivated: shortcutHelp.visible = !shortcutHelp.visible }

    // Voice: M mutes and unmutes; Space held talks while muted (as the hold-to-talk button does). Only where
    // it means something: a mentor whose microphone is open, in a session.
    TalkKey {
        id: talkKey
        window: root
        enabled: root.live && mentor.role === Role.Mentor && mentor.voice.hasMicrophone
    }
    Binding { target: mentor.voice; property: "talking"; value: talkKey.held || voiceBar.talkButtonHeld }
    Shortcut { sequence: "M"; enabled: talkKey.enabled; onActivated: mentor.voice.muted = !mentor.voice.muted }

    StartScreen {
        id: startScreen
        anchors.fill: parent
        visible: !root.live && !root.reviewing
        unit: root.unit
        mentor: root.mentor
        review: root.review
    }

    Loader {
        id: reviewScreen
        objectName: "reviewScreen"
        anchors.fill: parent
        active: root.reviewing && !root.live
        sourceComponent: Component {
            ReviewScreen {
                review: root.review
                unit: root.unit
            }
        }
    }

    Item {
        id: liveView
        anchors.fill: parent
        visible: root.live

        SessionBar {
            id: sessionBar
            anchors { left: parent.left; right: parent.right; top: parent.top }
            unit: root.unit
            mentor: root.mentor
        }

        ToolStrip {
            id: toolStrip
            objectName: "toolStrip"
            anchors { left: parent.left; top: sessionBar.bottom; bottom: parent.bottom }
            unit: root.unit
            mayDraw: mentor.mayDraw
            canUndo: canvas.hasOwnAnnotations
            onUndoRequested: canvas.undo()
            onClearRequested: canvas.clearMine()
        }

        VitalsPanel {
            id: vitalsPanel
            objectName: "vitalsPanel"
            vitals: mentor.vitals
            flagged: mentor.flaggedVitals
            canFlag: mentor.role === Role.Mentor && mentor.state === ConnectionState.Connected
            onFlagToggled: (key) => mentor.toggleVitalFlag(key)
            anchors { right: parent.right; top: sessionBar.bottom; bottom: parent.bottom }
            unit: root.unit
        }

        VoiceBar {
            id: voiceBar
            objectName: "voiceBar"
            anchors { left: toolStrip.right; right: vitalsPanel.left; bottom: parent.bottom }
            unit: root.unit
            mentor: root.mentor
        }

        OperativeFieldView {
            id: field
            objectName: "operativeField"
            feed: mentor.feed
            anchors { left: toolStrip.right; right: vitalsPanel.left; top: sessionBar.bottom; bottom: voiceBar.top }
        }

        // Telestration over the picture; declared after the field and before the HUD, so that it is drawn
        // over the video and the HUD stays clickable above it.
        AnnotationCanvas {
            id: canvas
            objectName: "annotationCanvas"
            anchors.fill: field
            session: mentor
            videoRect: field.videoRect
            author: mentor.annotationAuthor
            mayDraw: mentor.mayDraw
            tool: toolStrip.tool
            colour: toolStrip.penColour
            lineWidth: toolStrip.penWidth

            // The label tool: type the text where the click was, Enter sends it, Escape drops it.
            TextField {
                id: labelEditor
                objectName: "labelEditor"
                visible: canvas.labelPending
                x: Math.min(canvas.labelPosition.x, canvas.width - width)
                y: Math.min(canvas.labelPosition.y, canvas.height - height)
                width: root.unit * 16
                font.pixelSize: root.unit
                placeholderText: qsTr("label text, Enter to place")
                maximumLength: 120
                onVisibleChanged: {
                    text = ""
                    if (visible) forceActiveFocus()
                }
                onAccepted: canvas.placeLabel(text)
                Keys.onEscapePressed: canvas.cancelLabel()
            }
        }

        // The sender refused one of this console's drawings: say why for a few seconds.
        Rectangle {
            id: refusalBanner
            objectName: "annotationRefusal"
            property string reason: ""
            visible: refusalTimer.running
            anchors { horizontalCenter: field.horizontalCenter; top: field.top; topMargin: root.unit }
            width: Math.min(field.width - root.unit * 2, refusalText.implicitWidth + root.unit * 2)
            height: refusalText.implicitHeight + root.unit
            radius: root.unit / 3
            color: "#e65100"
            Text {
                id: refusalText
                anchors.centerIn: parent
                width: parent.width - root.unit * 2
                horizontalAlignment: Text.AlignHCenter
                elide: Text.ElideRight
                color: "white"
                font.pixelSize: root.unit
                text: qsTr("Drawing not accepted: %1").arg(refusalBanner.reason)
            }
            Timer { id: refusalTimer; interval: 4000 }
            Connections {
                target: mentor
                function onAnnotationRefused() {
                    refusalBanner.reason = mentor.annotationRefusal
                    refusalTimer.restart()
                }
            }
        }

        Hud {
            id: hud
            objectName: "hud"
            // Bottom right of the picture: out of the way of the field's centre and of the top edge.
            x: field.x + field.videoRect.x + field.videoRect.width - width - root.unit * 0.5
            y: field.y + field.videoRect.y + field.videoRect.height - height - root.unit * 0.5
            unit: root.unit
            mentor: root.mentor
            onClicked: latencyPanel.visible = !latencyPanel.visible
        }

        LatencyPanel {
            id: latencyPanel
            visible: false
            anchors { right: hud.right; bottom: hud.top; bottomMargin: root.unit * 0.5 }
            unit: root.unit
            mentor: root.mentor
        }

        // The mentor speaks while muted: say so where they look, over the bottom left of the picture (the HUD
        // has the right, the pixel code the top) above the mute button; held two seconds past the last word so
        // that it does not flicker between words.
        Rectangle {
            id: mutedWarning
            objectName: "mutedWarning"
            visible: mutedWarningHold.running && !mentor.voice.live && mentor.voice.hasMicrophone
            x: field.x + field.videoRect.x + root.unit * 0.5
            y: field.y + field.videoRect.y + field.videoRect.height - height - root.unit * 0.5
            width: Math.min(hud.x - x - root.unit, Math.max(mutedTitle.implicitWidth, mutedKeys.implicitWidth) + root.unit * 2)
            height: mutedColumn.implicitHeight + root.unit
            radius: root.unit / 3
            color: "#d84315"
            border.color: "white"
            border.width: 2
            Column {
                id: mutedColumn
                anchors.centerIn: parent
                width: parent.width - root.unit * 2
                Text {
                    id: mutedTitle
                    width: parent.width
                    elide: Text.ElideRight
                    color: "white"
                    font.pixelSize: root.unit * 1.5
                    font.bold: true
                    text: qsTr("YOU ARE MUTED — the OR does not hear you")
                }
                Text {
                    id: mutedKeys
                    width: parent.width
                    elide: Text.ElideRight
                    color: "white"
                    font.pixelSize: root.unit
                    text: qsTr("M: unmute  ·  hold Space: talk")
                }
            }
            Timer { id: mutedWarningHold; interval: 2000 }
            Connections {
                target: mentor.voice
                function onStatusChanged() {
                    if (mentor.voice.speakingWhileMuted) mutedWarningHold.restart()
                }
            }
        }

        // The OR's privacy pause: a card over the whole picture says why nothing moves, and that it is the
        // OR's choice, not the link.
        Rectangle {
            objectName: "privacyPauseCard"
            visible: mentor.orPrivacyPaused && mentor.state === ConnectionState.Connected
            anchors.fill: field
            color: "#1a1a1a"
            Column {
                anchors.centerIn: parent
                spacing: root.unit / 2
                Text {
                    objectName: "privacyPauseTitle"
                    anchors.horizontalCenter: parent.horizontalCenter
                    color: "#ffb300"
                    font.pixelSize: root.unit * 2
                    font.bold: true
                    text: qsTr("Paused by the OR")
                }
                Text {
                    anchors.horizontalCenter: parent.horizontalCenter
                    color: "white"
                    font.pixelSize: root.unit
                    text: qsTr("The OR team paused video and voice for privacy. They return when the OR resumes.")
                }
            }
        }

        // "Link lost": the picture may be old; say so over it, never silently freeze.
        Rectangle {
            objectName: "linkBanner"
            visible: mentor.linkLost || mentor.state === ConnectionState.Reconnecting
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
                text: mentor.state === ConnectionState.Reconnecting ? qsTr("Link lost — reconnecting (%1)").arg(mentor.reconnectAttempt)
                      : mentor.hasPicture ? qsTr("Link lost — picture is %1 s old").arg((mentor.pictureAgeMs / 1000).toFixed(1))
                      : qsTr("Link lost — no picture yet")
            }
        }
    }

    ShortcutHelp {
        id: shortcutHelp
        objectName: "shortcutHelp"
        visible: false
        anchors.centerIn: parent
        unit: root.unit
        MouseArea { anchors.fill: parent; onClicked: shortcutHelp.visible = false }
    }
}
