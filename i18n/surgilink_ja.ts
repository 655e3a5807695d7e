<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>Hud</name>
    <message>
        <location filename="../mentor_console/qml/Hud.qml" line="+36"/>
        <source>p95 %1 ms ±%2 (10 s)</source>
        <translation>p95 %1 ms ±%2（直近10秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>measuring…</source>
        <translation>測定中…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the picture is %1 ms old</source>
        <translation>映像の遅れ %1 ms</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no picture yet</source>
        <translation>映像はまだありません</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 fps · %2 Mbit/s · loss %3 % · RTT %4 ms</source>
        <translation>%1 fps · %2 Mbit/s · 損失 %3 % · RTT %4 ms</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>jitter %1 ms · a lost packet is waited for %2 ms</source>
        <translation>ジッタ %1 ms · 欠落パケットの待ち時間 %2 ms</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>picture held %1 ms so late frames do not freeze it</source>
        <translation>遅れたフレームで映像が止まらないよう %1 ms 保持</translation>
    </message>
</context>
<context>
    <name>LatencyPanel</name>
    <message>
        <location filename="../mentor_console/qml/LatencyPanel.qml" line="+18"/>
        <source>Glass-to-glass, last 60 s</source>
        <translation>映像遅延（撮像から表示まで）直近60秒</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1: p50 %2 ms, p95 %3 ms</source>
        <translation>%1: p50 %2 ms、p95 %3 ms</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../mentor_console/qml/Main.qml" line="+20"/>
        <source>SurgiLink review — %1</source>
        <translation>SurgiLink 症例レビュー — %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SurgiLink — %1</source>
        <translation>SurgiLink — %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SurgiLink mentor console</source>
        <translation>SurgiLink 指導医コンソール</translation>
    </message>
    <message>
        <location line="+117"/>
        <source>label text, Enter to place</source>
        <translation>ラベルの文字（Enter で配置）</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Drawing not accepted: %1</source>
        <translation>描画は受け付けられませんでした: %1</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>YOU ARE MUTED — the OR does not hear you</source>
        <translation>ミュート中 — 手術室には聞こえていません</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>M: unmute  ·  hold Space: talk</source>
        <translation>M: ミュート解除  ·  Space 長押し: 発話</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Paused by the OR</source>
        <translation>手術室が一時停止中</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The OR team paused video and voice for privacy. They return when the OR resumes.</source>
        <translation>手術室がプライバシー保護のため映像と音声を止めています。手術室が再開すると戻ります。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Link lost — reconnecting (%1)</source>
        <translation>接続が切れました — 再接続中（%1 回目）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link lost — picture is %1 s old</source>
        <translation>接続が切れました — 映像は %1 秒前のものです</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link lost — no picture yet</source>
        <translation>接続が切れました — 映像はまだありません</translation>
    </message>
</context>
<context>
    <name>OrDisplay</name>
    <message>
        <location filename="../sender/or_words.hpp" line="+22"/>
        <source>PRIVACY PAUSE: MENTORS SEE AND HEAR NOTHING</source>
        <translation>プライバシー一時停止中: 指導医には映像も音声も届きません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ALARM %1</source>
        <translation>アラーム %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MENTOR VIDEO DELAYED %1 ms</source>
        <translation>指導医側の映像遅延 %1 ms</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AUDIT LOG NOT WRITTEN</source>
        <translation>監査ログを記録できません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MEDIA KEYS EXPORTED (test bench only)</source>
        <translation>メディア鍵を書き出し中（試験環境専用）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MENTOR: check %1</source>
        <translation>指導医より: %1 を確認してください</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mentor disconnected</source>
        <translation>指導医の接続が切れました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>link lost: pen waits for %1</source>
        <translation>接続断: ペンは %1 の再接続待ち</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MENTOR SPEAKING</source>
        <translation>指導医が発話中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OR MIC MUTED</source>
        <translation>手術室マイク ミュート中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>annotations hidden</source>
        <translation>注釈を非表示中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mentor pen off</source>
        <translation>指導医のペンを回収中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>REC</source>
        <translation>録画中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>NOT RECORDING: VOLUME NOT ENCRYPTED</source>
        <translation>録画できません: 保存先が暗号化されていません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>RECORDING STOPPED: DISK FULL</source>
        <translation>録画停止: ディスク容量不足</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>REC: DISK LOW, %1 MB FREE</source>
        <translation>録画: ディスク残量わずか %1 MB</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>REC: DISK LOW, %1 MB FREE (~%2 MIN)</source>
        <translation>録画: ディスク残量わずか %1 MB（約 %2 分）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>TOUCH AGAIN: %1</source>
        <translation>もう一度タッチ: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PRIVACY PAUSE</source>
        <translation>プライバシー一時停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RESUME VIDEO</source>
        <translation>映像を再開</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>HIDE ANNOTATIONS</source>
        <translation>注釈を非表示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SHOW ANNOTATIONS</source>
        <translation>注釈を表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TAKE PEN</source>
        <translation>ペンを回収</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GIVE PEN BACK</source>
        <translation>ペンを返す</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CLEAR ALL</source>
        <translation>すべて消去</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>KEEP ANNOTATIONS</source>
        <translation>注釈を残す</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CONSENT + RECORD</source>
        <translation>同意して録画</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>START REC</source>
        <translation>録画開始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>STOP REC</source>
        <translation>録画停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MUTE OR MIC</source>
        <translation>手術室マイクをミュート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OPEN OR MIC</source>
        <translation>手術室マイクをオン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>END SESSION</source>
        <translation>セッション終了</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PAUSED</source>
        <translation>一時停止中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (pen)</source>
        <translation>%1（ペン）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 watching</source>
        <translation>%1 視聴中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LINK LOST: pen waits for %1</source>
        <translation>接続断: ペンは %1 の再接続待ち</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NO MENTOR CONNECTED</source>
        <translation>指導医未接続</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>WAITING FOR MENTOR</source>
        <translation>指導医の接続待ち</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LINK OK</source>
        <translation>接続良好</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CONSENT, NOT RECORDING</source>
        <translation>同意済み・録画なし</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NO CONSENT: NOT RECORDING</source>
        <translation>同意なし: 録画なし</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ANNOTATIONS HIDDEN</source>
        <translation>注釈非表示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1% LOSS</source>
        <translation>パケット損失 %1%</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <location filename="../mentor_console/ui/translated_reason.cpp" line="+16"/>
        <source>%1 (trying again in %2 ms)</source>
        <translation>%1（%2 ms 後に再試行）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1; %2</source>
        <translation>%1、%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no sound output: %1 - the session goes on without sound</source>
        <translation>音声出力なし: %1 — セッションは音声なしで継続します</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no microphone: %1 - the mentor is not heard</source>
        <translation>マイクなし: %1 — 指導医の声は手術室に届きません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>microphone failed: %1</source>
        <translation>マイクの障害: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no sound output here (no PulseAudio/PipeWire server, no ALSA card)</source>
        <translation>この端末には音声出力がありません（PulseAudio/PipeWire サーバー、ALSA カードなし）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no sound input here (no PulseAudio/PipeWire server, no ALSA card)</source>
        <translation>この端末には音声入力がありません（PulseAudio/PipeWire サーバー、ALSA カードなし）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 refused this console: %2</source>
        <translation>%1 がこのコンソールの接続を拒否しました: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>certificate not accepted by %1: %2</source>
        <translation>%1 に証明書が受け入れられませんでした: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TLS handshake with %1: %2</source>
        <translation>%1 との TLS ハンドシェイクに失敗しました: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connection to %1 lost: %2</source>
        <translation>%1 との接続が切れました: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connection to %1 ended: %2</source>
        <translation>%1 との接続が終了しました: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no answer from %1: %2</source>
        <translation>%1 から応答がありません: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no answer from %1 after %2</source>
        <translation>%1 から %2 応答がありません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>certificate &quot;%1&quot; (%2) is not in the access list of %3</source>
        <translation>証明書「%1」（%2）は %3 のアクセスリストに登録されていません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 already serves %2 consoles, its limit (max_consoles)</source>
        <translation>%1 はすでに上限の %2 台のコンソールに配信中です（max_consoles）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sender speaks protocol version %1</source>
        <translation>送信側のプロトコルバージョンは %1 です</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the sender&apos;s welcome names no role this console knows</source>
        <translation>送信側が通知した役割をこのコンソールは認識できません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the sender sent a malformed control message</source>
        <translation>送信側から不正な制御メッセージを受信しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the sender sent an oversized control message</source>
        <translation>送信側から大きすぎる制御メッセージを受信しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SRTP key derivation failed</source>
        <translation>SRTP 鍵の導出に失敗しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the surgeon has taken the pen back</source>
        <translation>術者がペンを回収しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the pen waits for %1 to come back</source>
        <translation>ペンは %1 の再接続を待っています</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>nobody holds the pen</source>
        <translation>誰もペンを持っていません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 holds the pen</source>
        <translation>%1 がペンを持っています</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 does not hold the pen</source>
        <translation>%1: %2 はペンを持っていません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not admitted</source>
        <translation>参加が許可されていません</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <location filename="../mentor_console/qml/ReviewScreen.qml" line="+45"/>
        <source>Close recording (Ctrl+W)</source>
        <translation>録画を閉じる（Ctrl+W）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Review: %1</source>
        <translation>レビュー: %1</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Markers</source>
        <translation>マーカー</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>all</source>
        <translation>すべて</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>annotations</source>
        <translation>注釈</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>alarms</source>
        <translation>アラーム</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pen</source>
        <translation>ペン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>OR commands</source>
        <translation>手術室の操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>link losses</source>
        <translation>接続断</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Bookmarks</source>
        <translation>ブックマーク</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>comment, then Enter</source>
        <translation>コメント → Enter</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Add bookmark at %1 (B)</source>
        <translation>%1 にブックマーク（B）</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>The surgeon had hidden the annotations on the OR screen</source>
        <translation>術者が手術室の画面で注釈を非表示にしていました</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>◀ Frame (Left)</source>
        <translation>◀ 1コマ（←）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Pause (Space)</source>
        <translation>一時停止（Space）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Play (Space)</source>
        <translation>再生（Space）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Frame ▶ (Right)</source>
        <translation>1コマ ▶（→）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Slower ([)</source>
        <translation>遅く（[）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Faster (])</source>
        <translation>速く（]）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Voice on (V)</source>
        <translation>音声オン (V)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Voice off (V)</source>
        <translation>音声オフ (V)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>annotations on screen: %1</source>
        <translation>表示中の注釈: %1</translation>
    </message>
</context>
<context>
    <name>ReviewTimeline</name>
    <message>
        <location filename="../mentor_console/qml/ReviewTimeline.qml" line="+127"/>
        <source>mentor glass-to-glass p95 (top: %1 ms)</source>
        <translation>指導医の映像遅延 p95（上端: %1 ms）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no latency reports in this recording</source>
        <translation>この録画には遅延の報告がありません</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>link: green connected, red lost, grey no mentor</source>
        <translation>接続: 緑 接続中、赤 切断、灰 指導医なし</translation>
    </message>
</context>
<context>
    <name>SessionBar</name>
    <message>
        <location filename="../mentor_console/qml/SessionBar.qml" line="+16"/>
        <source>case %1</source>
        <translation>症例 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (%2) · pen: %3</source>
        <translation>%1（%2）· ペン: %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>taken back by the OR</source>
        <translation>手術室が回収</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>you</source>
        <translation>あなた</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>nobody</source>
        <translation>なし</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>· %n other(s): %1</source>
        <translation>
            <numerusform>· 他 %n 名: %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>annotations hidden on the OR</source>
        <translation>手術室で注釈は非表示</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>MEDIA KEYS EXPORTED (test bench only)</source>
        <translation>メディア鍵を書き出し中（試験環境専用）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>● REC</source>
        <translation>● 録画中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not recording</source>
        <translation>録画なし</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>consent recorded</source>
        <translation>同意記録済み</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>consent not recorded</source>
        <translation>同意未記録</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Degraded</source>
        <translation>回線品質低下</translation>
    </message>
</context>
<context>
    <name>ShortcutHelp</name>
    <message>
        <location filename="../mentor_console/qml/ShortcutHelp.qml" line="+9"/>
        <source>show or hide this card</source>
        <translation>この一覧の表示／非表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connect to OR site 1 … 9 (start screen)</source>
        <translation>手術室 1 … 9 に接続（開始画面）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>disconnect</source>
        <translation>切断</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>full screen on / off</source>
        <translation>全画面表示のオン／オフ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>latency plot and per-stage breakdown</source>
        <translation>遅延グラフと処理段階ごとの内訳</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pen, arrow, circle, label (text), pointer</source>
        <translation>ペン、矢印、円、ラベル（文字）、ポインター</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pen colour</source>
        <translation>ペンの色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>thinner / thicker line</source>
        <translation>線を細く／太く</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>undo my last drawing</source>
        <translation>自分の直前の描画を取り消す</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>clear all my drawings</source>
        <translation>自分の描画をすべて消去</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>place / drop a label being typed</source>
        <translation>入力中のラベルを配置／破棄</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>flag vitals row 1 … 9 for the surgeon (again: unflag)</source>
        <translation>バイタル 1 … 9 行目を術者に通知（もう一度で解除）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mute / unmute my microphone</source>
        <translation>自分のマイクをミュート／解除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Space (hold)</source>
        <translation>Space（長押し）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>talk while muted (push-to-talk); let go to mute again</source>
        <translation>ミュート中に発話（プッシュトゥトーク）、離すと再びミュート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Keyboard</source>
        <translation>キーボード操作</translation>
    </message>
</context>
<context>
    <name>StartScreen</name>
    <message>
        <location filename="../mentor_console/qml/StartScreen.qml" line="+18"/>
        <source>SurgiLink mentor console</source>
        <translation>SurgiLink 指導医コンソール</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Identity: %1</source>
        <translation>本コンソールの証明書: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Connect to %1</source>
        <translation>%1 に接続</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Checking the link…</source>
        <translation>回線を確認中…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Check link to %1</source>
        <translation>%1 への回線を確認</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>F1: every keyboard shortcut</source>
        <translation>F1: キーボード操作の一覧</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No OR sites in the configuration ([[site]] in configs/console.toml).</source>
        <translation>接続先の手術室が設定されていません（configs/console.toml の [[site]]）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Recordings</source>
        <translation>録画</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No recordings in %1</source>
        <translation>%1 に録画はありません</translation>
    </message>
</context>
<context>
    <name>ToolStrip</name>
    <message>
        <location filename="../mentor_console/qml/ToolStrip.qml" line="+31"/>
        <source>pen</source>
        <translation>ペン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>arrow</source>
        <translation>矢印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>circle</source>
        <translation>円</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>label</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pointer</source>
        <translation>ポインター</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>undo my last drawing (Ctrl+Z)</source>
        <translation>自分の直前の描画を取り消す（Ctrl+Z）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>clear mine: remove all my drawings (Ctrl+Shift+X)</source>
        <translation>自分の描画をすべて消去（Ctrl+Shift+X）</translation>
    </message>
</context>
<context>
    <name>VitalsPanel</name>
    <message>
        <location filename="../mentor_console/qml/VitalsPanel.qml" line="+27"/>
        <source>Vital signs</source>
        <translation>バイタル</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>⚑ OR told</source>
        <translation>⚑ 術者に通知済</translation>
    </message>
</context>
<context>
    <name>VoiceBar</name>
    <message>
        <location filename="../mentor_console/qml/VoiceBar.qml" line="+25"/>
        <source>No sound device: you do not hear the OR, and the OR does not hear you</source>
        <translation>音声デバイスなし: 手術室の声は聞こえず、あなたの声も手術室に届きません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No speaker: you do not hear the OR</source>
        <translation>スピーカーなし: 手術室の声は聞こえません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No microphone: the OR does not hear you</source>
        <translation>マイクなし: あなたの声は手術室に届きません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sound problem</source>
        <translation>音声に問題があります</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>TALKING</source>
        <translation>発話中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MIC ON</source>
        <translation>マイク オン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MUTED</source>
        <translation>ミュート中</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the OR hears you · let go: muted</source>
        <translation>手術室に聞こえています · 離すとミュート</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the OR hears you · M: mute</source>
        <translation>手術室に聞こえています · M: ミュート</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>click or M: unmute</source>
        <translation>クリックまたは M: ミュート解除</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Hold to talk</source>
        <translation>押して発話</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>or hold Space</source>
        <translation>または Space 長押し</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>my microphone</source>
        <translation>自分のマイク</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Listening only: observers are not heard</source>
        <translation>聴取のみ: 見学者の声は手術室に届きません</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No microphone configured: listening only</source>
        <translation>マイク未設定: 聴取のみ</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The picture, drawing and vitals go on.  (%1)</source>
        <translation>映像・描画・バイタルは継続します。（%1）</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>OR not heard</source>
        <translation>手術室の音声なし</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>OR SPEAKING</source>
        <translation>手術室 発話中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>OR quiet</source>
        <translation>手術室 無音</translation>
    </message>
</context>
<context>
    <name>surgilink::console::CaseReview</name>
    <message>
        <location filename="../mentor_console/ui/case_review.cpp" line="+86"/>
        <source>mentor connected</source>
        <translation>指導医が接続中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mentor link lost</source>
        <translation>指導医との接続が切断</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>no mentor connected</source>
        <translation>指導医は未接続</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1: %2 ms p95</source>
        <translation>%1: %2 ms p95</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no latency report yet</source>
        <translation>遅延の報告はまだありません</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot open %1: %2</source>
        <translation>%1 を開けません: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 at %2, %3 UTC</source>
        <translation>%1（%2、%3 UTC）</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>no voice recorded</source>
        <translation>音声は録音されていません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>voice not played: [audio] output is none</source>
        <translation>音声は再生されません: [audio] output が none です</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no sound: %1</source>
        <translation>音が出ません: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>voice off (V)</source>
        <translation>音声オフ (V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>voice muted at %1× (sound at 1× only)</source>
        <translation>%1× では音声を消しています (音声は 1× のみ)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>voice on (V): %1</source>
        <translation>音声オン (V): %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>left out: %1</source>
        <translation>除外: %1</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>complete</source>
        <translation>完了</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>recovered after a crash</source>
        <translation>異常終了後に復旧</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>still being recorded</source>
        <translation>録画中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 · %2 min %3 s · %4</source>
        <translation>%1 · %2 分 %3 秒 · %4</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>no readable index</source>
        <translation>読める索引がありません</translation>
    </message>
    <message>
        <location line="+69"/>
        <location line="+22"/>
        <source>Bookmarks cannot be read: %1</source>
        <translation>ブックマークを読めません: %1</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>The bookmark was not saved: %1</source>
        <translation>ブックマークは保存されませんでした: %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1 low</source>
        <translation>%1 低値</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 high</source>
        <translation>%1 高値</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>link lost: %1</source>
        <translation>接続断: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>pen released</source>
        <translation>ペン解放</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>pen: %1</source>
        <translation>ペン: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>annotations hidden</source>
        <translation>注釈を非表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>annotations shown</source>
        <translation>注釈を表示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>annotations cleared</source>
        <translation>注釈を消去</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>privacy pause</source>
        <translation>プライバシー一時停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>privacy pause ended</source>
        <translation>プライバシー一時停止を解除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>consent recorded</source>
        <translation>同意記録済み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>consent withdrawn</source>
        <translation>同意撤回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording started</source>
        <translation>録画開始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>recording stopped</source>
        <translation>録画停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>session ended</source>
        <translation>セッション終了</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>A picture cannot be shown: %1</source>
        <translation>映像を表示できません: %1</translation>
    </message>
</context>
<context>
    <name>surgilink::console::MentorSession</name>
    <message>
        <location filename="../mentor_console/ui/mentor_session.cpp" line="+175"/>
        <source>Checking the link to %1 (10 s)…</source>
        <translation>%1 への回線を確認中（10 秒）…</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>idle</source>
        <translation>未接続</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>reconnecting</source>
        <translation>再接続中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>refused</source>
        <translation>拒否されました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>mentor</source>
        <translation>指導医</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>observer</source>
        <translation>見学者</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>encode</source>
        <translation>エンコード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>network</source>
        <translation>ネットワーク</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>jitter buffer</source>
        <translation>ジッタバッファ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>decode</source>
        <translation>デコード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>render</source>
        <translation>描画</translation>
    </message>
</context>
<context>
    <name>surgilink::console::PatientVitals</name>
    <message>
        <location filename="../mentor_console/ui/patient_vitals.cpp" line="+152"/>
        <source>waiting for the monitor</source>
        <translation>生体情報モニターの接続待ち</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>this OR sends no vitals</source>
        <translation>この手術室からバイタルは送信されていません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>data %1 s old</source>
        <translation>データは %1 秒前</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no new data for %1 s</source>
        <translation>%1 秒間 新しいデータなし</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>no waveforms recorded</source>
        <translation>波形は記録されていません</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>no data</source>
        <translation>データなし</translation>
    </message>
</context>
</TS>
