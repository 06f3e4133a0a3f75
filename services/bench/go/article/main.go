// The article's program ("Simple Go Chat Application in under 100 lines of code - Part 2"), as
// published, with the two changes it needs to build and run here, both marked "bench:":
//   - go-redis: Debian 12 ships gopkg.in/redis.v5, not github.com/redis/go-redis/v9. The calls are
//     the same minus the context argument.
//   - the clients map is guarded by a mutex. The article writes it from every connection's
//     goroutine at once, and Go aborts the process ("fatal error: concurrent map writes") as soon as
//     two clients connect or leave together, which 300 clients connecting at once always do.
//   - it listens on 127.0.0.1:$PORT rather than on every interface (the benchmark stays on loopback).
//
// It does not serve the article's static/index.html (the benchmark has no page to serve).
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"gopkg.in/redis.v5"
)

const channel = "chat"

func main() {
	redisHost := os.Getenv("REDIS_HOST")
	redisPort := os.Getenv("REDIS_PORT")
	rdb := redis.NewClient(&redis.Options{
		Addr: fmt.Sprintf("%s:%s", redisHost, redisPort),
	})

	go func() {
		sub, err := rdb.Subscribe(channel)
		if err != nil {
			log.Fatalf("Error subscribing: %v", err)
		}
		// bench: tells the harness the subscription is live (the article prints nothing here).
		fmt.Println("subscribed")
		for {
			message, err := sub.ReceiveMessage()
			if err != nil {
				fmt.Println("Error receiving message", err)
			}
			if message != nil {
				broadcast([]byte(message.Payload))
			}
		}
	}()

	router := gin.Default()
	router.GET("/ws", serveWs(rdb))
	err := router.Run("127.0.0.1:" + os.Getenv("PORT")) // bench: loopback only
	if err != nil {
		log.Fatalf("Unable to start server. Error %v", err)
	}
	log.Println("Server started successfully.")
}

func serveWs(rdb *redis.Client) func(c *gin.Context) {
	return func(c *gin.Context) {
		upgrader := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return true }}
		conn, err := upgrader.Upgrade(c.Writer, c.Request, nil)
		if err != nil {
			log.Printf("Error in upgrading web socket. Error: %v", err)
			return
		}

		go handleClient(conn, rdb)
	}
}

var clients = make(map[*websocket.Conn]struct{})
var clientsMu sync.Mutex // bench: see the top of the file

type Message struct {
	From    string `json:"from"`
	Message string `json:"message"`
}

func broadcast(msgBytes []byte) {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	for conn := range clients {
		conn.WriteMessage(websocket.TextMessage, msgBytes)
	}
}

func handleClient(c *websocket.Conn, rdb *redis.Client) {
	defer func() {
		clientsMu.Lock()
		delete(clients, c)
		clientsMu.Unlock()
		log.Println("Closing Websocket")
		c.Close()
	}()
	clientsMu.Lock()
	clients[c] = struct{}{}
	clientsMu.Unlock()

	for {
		var msg Message
		err := c.ReadJSON(&msg)
		if err != nil {
			log.Printf("Error in reading json message. Error : %v", err)
			return
		}

		msgBytes, err := json.Marshal(msg)
		if err != nil {
			fmt.Println("Err marshaling", err.Error())
			return
		}

		err = rdb.Publish(channel, string(msgBytes)).Err()
		if err != nil {
			fmt.Println("Error publishing:", err.Error())
		}
	}
}
