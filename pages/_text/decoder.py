"""Strings of the browser decoder (pages/_decoder.py), shown inside its component."""

EN = {
    "decoder.unavailable": "This browser cannot run the decoder (WebAssembly is unavailable), so the server "
                           "decodes instead: the picture follows clicks and slider releases, not every move.",
    "decoder.grid_size": "Grid size",
}

KO = {
    "decoder.unavailable": "이 브라우저에서는 디코더를 실행할 수 없어(WebAssembly를 쓸 수 없음) 서버가 대신 디코딩합니다. "
                           "그림은 포인터를 움직일 때마다가 아니라 클릭하거나 슬라이더를 놓을 때 바뀝니다.",
    "decoder.grid_size": "격자 크기",
}
